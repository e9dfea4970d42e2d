"""16 kHz mono PCM16 capture with sounddevice, handed over chunk by chunk.

A cold PulseAudio source delivers its first block 0.5-2 s after a stream starts
and drops what was said meanwhile: `WarmMicrophone` keeps the stream open while
the hotkeys are armed, holding only the last fraction of a second in memory (the
pre-roll), so that a dictation starts with the words said as the key went down.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from hotkeys.errors import MicrophoneError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
BLOCK_S = 0.05
NO_MICROPHONE = (
    "No microphone could be opened. Connect one (or check that no other program holds it), "
    "or choose another with hotkeys.microphone in the config."
)

AudioHandler = Callable[[bytes], None]


class Capture(Protocol):
    """One dictation's audio source: `start()`, then `stop()` once the key is released."""

    failed: str | None

    def start(self) -> None:
        """Begin handing audio over; MicrophoneError when there is no microphone."""

    def stop(self) -> None:
        """Stop; the audio captured until now has been handed over when this returns."""


def _open_stream(device: str, callback: Callable[..., None], finished: Callable[[], None]) -> Any:
    """A started 16 kHz mono input stream; MicrophoneError in plain words when impossible."""
    try:
        import sounddevice as sd
    except OSError as error:  # PortAudio library missing
        log.warning("audio capture is unavailable: %s", error)
        raise MicrophoneError(NO_MICROPHONE) from None
    try:
        stream = sd.RawInputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=int(SAMPLE_RATE * BLOCK_S),
            device=_find_device(device),
            callback=callback,
            finished_callback=finished,
        )
        stream.start()
    except (sd.PortAudioError, ValueError) as error:  # ValueError: no such device
        # PortAudio's wording ("Error querying device -1") is for the log, not the user.
        log.warning("the microphone could not be opened: %s", error)
        raise MicrophoneError(NO_MICROPHONE) from None
    return stream


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
    """A stream opened for one dictation: `on_audio(pcm16_bytes)` from PortAudio's thread."""

    def __init__(self, device: str, on_audio: AudioHandler) -> None:
        self._device = device
        self._on_audio = on_audio
        self._stream: Any = None
        self.failed: str | None = None

    def start(self) -> None:
        """Open the device and start capturing; MicrophoneError when impossible."""

        def callback(data: Any, frames: int, time: Any, status: Any) -> None:
            if status.input_overflow:
                log.warning("microphone overflow: audio was dropped")
            self._on_audio(bytes(data))

        def finished() -> None:
            if self._stream is not None and not self._stream.stopped:
                self.failed = "the microphone stopped (device unplugged?)"

        self._stream = _open_stream(self._device, callback, finished)

    def stop(self) -> None:
        """Stop capturing; audio already recorded has been handed over when this returns."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()  # waits for the buffered blocks to reach the callback
                stream.close()
            except Exception as error:  # a vanished device fails here too
                log.warning("closing the microphone failed: %s", type(error).__name__)


class WarmMicrophone:
    """An input stream kept open while the hotkeys are armed; dictations tap into it.

    Audio nobody taps is kept only as a ring of the last `preroll` seconds in
    memory and dropped as new audio comes; nothing is written anywhere.
    """

    def __init__(self, device: str, preroll: float) -> None:
        self._device = device
        self._ring: collections.deque[bytes] = collections.deque(
            maxlen=max(0, round(preroll / BLOCK_S))
        )
        self._lock = threading.Lock()
        self._warm = threading.Event()  # the first block arrived
        self._stream: Any = None
        self._tap: _Tap | None = None
        self.failed: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether the stream runs (it stops when its device goes away)."""
        return self._stream is not None and self.failed is None

    def open(self, warm_timeout: float = 3.0) -> bool:
        """Start the stream and wait until audio flows; False if it has not within the timeout."""
        self.failed = None
        self._warm.clear()
        self._stream = _open_stream(self._device, self._on_block, self._finished)
        return self._warm.wait(warm_timeout)

    def close(self) -> None:
        """Stop the stream and forget the pre-roll."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception as error:  # a vanished device fails here too
                log.warning("closing the microphone failed: %s", type(error).__name__)
        with self._lock:
            self._ring.clear()

    def capture(self, on_audio: AudioHandler) -> Capture:
        """A capture for one dictation: the pre-roll, then live audio until stopped."""
        return _Tap(self, on_audio)

    def _on_block(self, data: Any, frames: int, time: Any, status: Any) -> None:
        # On PortAudio's thread: hand over or keep, never block.
        if status.input_overflow:
            log.warning("microphone overflow: audio was dropped")
        block = bytes(data)
        self._warm.set()
        with self._lock:
            tap = self._tap
            if tap is None:
                self._ring.append(block)
                return
        tap.deliver(block)

    def _finished(self) -> None:
        if self._stream is not None and not self._stream.stopped:
            self.failed = "the microphone stopped (device unplugged?)"

    def _attach(self, tap: _Tap) -> None:
        if not self.is_open:
            self.close()
            self.open()
        with self._lock:
            preroll = list(self._ring)
            self._ring.clear()
            self._tap = tap
        for block in preroll:
            tap.deliver(block)

    def _detach(self, tap: _Tap) -> None:
        with self._lock:
            if self._tap is tap:
                self._tap = None


class _Tap:
    """One dictation's share of a WarmMicrophone."""

    def __init__(self, microphone: WarmMicrophone, on_audio: AudioHandler) -> None:
        self._microphone = microphone
        self._on_audio = on_audio
        self._stopping = False
        self._last = threading.Event()
        self.failed: str | None = None

    def start(self) -> None:
        self._microphone._attach(self)

    def deliver(self, block: bytes) -> None:
        self._on_audio(block)
        if self._stopping:
            self._last.set()

    def stop(self) -> None:
        # The block holding the moment of release is still being recorded: take it too.
        self._stopping = True
        self._last.wait(4 * BLOCK_S)
        self._microphone._detach(self)
        self.failed = self._microphone.failed
