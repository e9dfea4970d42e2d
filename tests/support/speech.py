"""Synthesised and recorded speech for tests (the voices are the benchmark's)."""

from __future__ import annotations

import re
from pathlib import Path

from daemon.bench import voices

ALSA_SOUNDS = Path("/usr/share/sounds/alsa")
VOICES = voices.VOICES


def speak(text: str, path: Path, rate: int = 16000, voice: str = "espeak-ng") -> Path:
    """Write `text` spoken by `voice` (espeak-ng unless asked) as 16-bit mono WAV."""
    return voices.speak(text, path, voice, rate)


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.findall(r"[a-z0-9']+", text.lower())
