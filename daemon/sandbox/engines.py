"""Engines as the daemon sees them: each model runs in its own confined worker process.

They implement the same protocols as the in-process engines, so the pools, queues,
idle unload and cancellation work unchanged; `alive` tells the model holder that a
worker died, and the next request then starts a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

import numpy as np

from daemon.device import DeviceName
from daemon.llm.types import Chunk, GenerationParams, Message
from daemon.models.registry import ModelInfo
from daemon.sandbox.process import WorkerProcess
from daemon.sandbox.wire import (
    model_to_wire,
    options_to_wire,
    params_to_wire,
    transcript_from_wire,
)
from daemon.speech.audio import Audio
from daemon.speech.types import TranscribeOptions, Transcript


class _Sandboxed:
    """A model loaded in a worker; closing it ends the worker."""

    def __init__(self, kind: str, info: ModelInfo, memory_limit_mb: int, load: dict[str, Any]):
        what = "speech" if kind == "speech" else "language"
        self.worker = WorkerProcess(kind, f"{what} model {info.name!r}", memory_limit_mb)
        try:
            self.loaded: dict[str, Any] = self.worker.request(
                "load", {"model": model_to_wire(info), **load}
            )
        except BaseException:
            self.worker.close()
            raise
        self.device: DeviceName = "cuda" if self.loaded.get("device") == "cuda" else "cpu"

    @property
    def alive(self) -> bool:
        return self.worker.alive

    def status(self) -> dict[str, object]:
        """The worker's pid and how it is kept off the network, for /v1/health."""
        return {"pid": self.worker.pid, "egress": self.worker.confinement.get("egress")}

    def close(self) -> None:
        self.worker.close()


class SandboxedSpeechEngine(_Sandboxed):
    """faster-whisper (and PyAV decoding) in a confined worker."""

    def __init__(self, info: ModelInfo, device: str, memory_limit_mb: int) -> None:
        super().__init__("speech", info, memory_limit_mb, {"device": device})

    def transcribe(
        self, audio: Audio, options: TranscribeOptions, cancel: threading.Event | None = None
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 audio in the worker (blocking)."""
        result = self.worker.request(
            "transcribe",
            {"options": options_to_wire(options)},
            np.ascontiguousarray(audio, dtype=np.float32).data,
            cancel,
        )
        return transcript_from_wire(result)

    def transcribe_file(
        self,
        data: bytes,
        options: TranscribeOptions,
        max_seconds: float,
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """Decode and transcribe an uploaded file in the worker (blocking)."""
        args = {"options": options_to_wire(options), "max_seconds": max_seconds}
        return transcript_from_wire(self.worker.request("transcribe_file", args, data, cancel))


class SandboxedLLMEngine(_Sandboxed):
    """llama.cpp in a confined worker."""

    def __init__(
        self, info: ModelInfo, device: str, context_size: int, memory_limit_mb: int
    ) -> None:
        load = {"device": device, "context_size": context_size}
        super().__init__("llm", info, memory_limit_mb, load)
        self.context_size = int(self.loaded["context_size"])

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> Generator[Chunk, None, None]:
        """Completion chunks from the worker; closing the generator cancels the work."""
        args = {"messages": messages, "params": params_to_wire(params)}
        yield from self.worker.stream("stream", args, cancel=cancel)

    def chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> dict[str, Any]:
        """A whole chat completion from the worker (blocking); `cancel` ends it early."""
        args = {"messages": messages, "params": params_to_wire(params)}
        result: dict[str, Any] = self.worker.request("chat", args, cancel=cancel)
        return result
