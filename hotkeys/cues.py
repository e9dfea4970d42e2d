"""Short start/stop sounds from assets/sounds, played without blocking."""

from __future__ import annotations

import logging
import wave

import numpy as np

from daemon.assets import asset_path

log = logging.getLogger(__name__)


class Cues:
    """Plays the start and stop cues; silent when turned off or without an output device."""

    def __init__(self, enabled: bool) -> None:
        self._sounds: dict[str, tuple[np.ndarray, int]] = {}
        if enabled:
            for name in ("start", "stop"):
                with wave.open(str(asset_path("sounds", f"{name}.wav"))) as sound:
                    frames = sound.readframes(sound.getnframes())
                    self._sounds[name] = (np.frombuffer(frames, "<i2"), sound.getframerate())

    def play(self, name: str) -> None:
        """Start playing a cue and return at once."""
        if name not in self._sounds:
            return
        try:
            import sounddevice as sd

            samples, rate = self._sounds[name]
            sd.play(samples, rate)
        except Exception as error:  # no output device: cues are a courtesy, never a failure
            log.debug("audio cue not played: %s", type(error).__name__)
