"""Synthesised and recorded speech for tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ALSA_SOUNDS = Path("/usr/share/sounds/alsa")
# This espeak-ng voice is the one Whisper base understands best (measured).
VOICE = ["-v", "en-us+f3", "-s", "140", "-g", "4"]


def speak(text: str, path: Path, rate: int = 16000) -> Path:
    """Write `text` as spoken 16 kHz mono WAV."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", *VOICE, "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)], check=True)
    raw.unlink()
    return path


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.findall(r"[a-z0-9']+", text.lower())
