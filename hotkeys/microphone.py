"""16 kHz mono PCM16 capture with sounddevice, handed over chunk by chunk."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from daemon.errors import SottovoceError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
BLOCK_S = 0.05


class MicrophoneError(SottovoceError):
    """No usable microphone."""


def _find_device(name: str) -> int | str | None:
    """The configured device (index or part of its name), None for the system default."""
    if not name:
        return None
    import sounddevice as sd

    if name.isdigit():
        return int(name)
    for index, device in enumerate(sd.query_devices()):
        if name.lower() in str(device["name"]).lower() and device["max_input_channels"] > 0:
            return index
    raise MicrophoneError(f"no microphone named {name!r} (see hotkeys.microphone in the config)")


class Microphone:
    """Calls `on_audio(pcm16_bytes)` from PortAudio's thread while open; never blocks there."""

    def __init__(self, device: str, on_audio: Callable[[bytes], None]) -> None:
        self._device = device
        self._on_audio = on_audio
        self._stream: Any = None
        self.failed: str | None = None

    def start(self) -> None:
        """Open the device and start capturing; MicrophoneError when impossible."""
        try:
            import sounddevice as sd
        except OSError as error:  # PortAudio library missing
            raise MicrophoneError(f"audio capture is unavailable: {error}") from None

        def callback(data: Any, frames: int, time: Any, status: Any) -> None:
            if status.input_overflow:
                log.warning("microphone overflow: audio was dropped")
            self._on_audio(bytes(data))

        def finished() -> None:
            if self._stream is not None and not self._stream.stopped:
                self.failed = "the microphone stopped (device unplugged?)"

        try:
            self._stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="int16",
                blocksize=int(SAMPLE_RATE * BLOCK_S),
                device=_find_device(self._device),
                callback=callback,
                finished_callback=finished,
            )
            self._stream.start()
        except sd.PortAudioError as error:
            self._stream = None
            raise MicrophoneError(f"no microphone could be opened ({error})") from None

    def stop(self) -> None:
        """Stop capturing; audio already recorded has been handed over when this returns."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()  # waits for the buffered blocks to reach the callback
                stream.close()
            except Exception as error:  # a vanished device fails here too
                log.warning("closing the microphone failed: %s", type(error).__name__)
