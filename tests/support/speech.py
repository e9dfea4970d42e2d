"""Synthesised and recorded speech for tests (the voices are the benchmark's)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from daemon.bench import voices

ALSA_SOUNDS = Path("/usr/share/sounds/alsa")
VOICES = voices.VOICES


def speak(text: str, path: Path, rate: int = 16000, voice: str = "espeak-ng") -> Path:
    """Write `text` spoken by `voice` (espeak-ng unless asked) as 16-bit mono WAV."""
    return voices.speak(text, path, voice, rate)


def silence(path: Path, length: str) -> Path:
    """`length` ("10:00", "4:00:00") of 16 kHz 16-bit mono silence, in the format the
    suffix names: FLAC packs hours of it into a few hundred kilobytes."""
    subprocess.run(
        ["sox", "-D", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), "trim", "0", length],
        check=True,
    )
    return path


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.findall(r"[a-z0-9']+", text.lower())
