"""Uploads decoded for the practice's server in a confined media worker, not in the
daemon: the daemon holds the one door to that server (daemon/guard.py), so an exploit
in an FFmpeg demuxer must not run where it could reach the network.

One worker, started on the first upload and reused: starting one (a Python start, the
confinement, PyAV's import) took about 1 s on the 2-core development machine, where a
reused worker decoded a 1.5 s WAV in 26 ms (medians of 5), so a worker per upload
would add a second to every transcription. A worker keeps nothing of an upload once
it answered; it is replaced when it died and ends with the engine that owns it.
"""

from __future__ import annotations

import threading

from daemon.errors import SpeechEngineError
from daemon.sandbox.channel import MAX_FROM_WORKER
from daemon.sandbox.process import WorkerProcess
from daemon.speech.audio import PCM16_BYTES_PER_SAMPLE, decode_pcm16, pcm16_size

# The resampler's last frame may pass the length limit by a few samples.
TAIL_SECONDS = 1.0


class SandboxedDecoder:
    """Decodes uploads of at most `max_seconds` in a confined worker (blocking calls)."""

    def __init__(self, max_seconds: float, memory_limit_mb: int) -> None:
        self.max_seconds = max_seconds
        self.memory_limit_mb = memory_limit_mb
        # What the daemon accepts from the worker follows the setting: a longer limit
        # would otherwise end the worker on the longest uploads.
        self.max_incoming = max(MAX_FROM_WORKER, pcm16_size(max_seconds + TAIL_SECONDS))
        self._worker: WorkerProcess | None = None
        self._lock = threading.Lock()

    def decode(self, data: bytes, max_seconds: float) -> bytes | bytearray:
        """The upload as 16 kHz mono PCM16; the worker's InvalidAudioError as is."""
        if max_seconds > self.max_seconds:
            raise SpeechEngineError(
                f"the media worker decodes at most {self.max_seconds:g} s, not {max_seconds:g}"
            )
        with self._lock:
            worker = self._running()
            result, pcm = worker.call("decode", {"max_seconds": max_seconds}, data)
        if pcm is None or len(pcm) != int(result["samples"]) * PCM16_BYTES_PER_SAMPLE:
            raise SpeechEngineError("the media worker answered no audio or the wrong amount")
        return pcm

    def _running(self) -> WorkerProcess:
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                self._worker.close()
            self._worker = WorkerProcess(
                "media", "audio decoder", self.memory_limit_mb, self.max_incoming
            )
        return self._worker

    def status(self) -> dict[str, object]:
        """The worker's pid and how it is kept off the network, for /v1/health."""
        worker = self._worker
        alive = worker is not None and worker.alive
        return {
            "pid": worker.pid if alive and worker else None,
            "egress": worker.confinement.get("egress") if alive and worker else None,
        }

    def close(self) -> None:
        """End the worker (if one runs)."""
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None


class InProcessDecoder:
    """Decodes in the daemon's own process, where workers are not built (Windows)."""

    def decode(self, data: bytes, max_seconds: float) -> bytes | bytearray:
        return decode_pcm16(data, max_seconds)

    def status(self) -> dict[str, object]:
        return {"pid": None, "egress": None}

    def close(self) -> None:
        pass
