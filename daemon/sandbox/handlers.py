"""What a worker does for each request, by engine kind (imported only once confined)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from daemon.errors import ModelError
from daemon.sandbox.channel import Emit, Handler, Message, Reply
from daemon.sandbox.wire import (
    model_from_wire,
    options_from_wire,
    params_from_wire,
    transcript_to_wire,
)

if TYPE_CHECKING:  # each worker imports only its own engine's libraries
    from daemon.llm.engine import LlamaEngine
    from daemon.speech.engine import WhisperEngine


class SpeechHandlers:
    """One faster-whisper model; decoding of uploads happens here too (PyAV)."""

    def __init__(self) -> None:
        self._engine: WhisperEngine | None = None

    @property
    def engine(self) -> WhisperEngine:
        if self._engine is None:
            raise ModelError("the speech worker has no model loaded")
        return self._engine

    def load(self, message: Message, _: bytes | None, __: threading.Event, ___: Emit) -> Any:
        from daemon.device import resolve_speech_device
        from daemon.speech.engine import WhisperEngine

        device, compute_type = resolve_speech_device(message["device"])
        self._engine = WhisperEngine(model_from_wire(message["model"]), device, compute_type)
        return {"device": device}

    def transcribe(
        self, message: Message, payload: bytes | None, cancel: threading.Event, _: Emit
    ) -> Any:
        audio = np.frombuffer(payload or b"", dtype=np.float32)
        options = options_from_wire(message["options"])
        return transcript_to_wire(self.engine.transcribe(audio, options, cancel))

    def transcribe_file(
        self, message: Message, payload: bytes | None, cancel: threading.Event, _: Emit
    ) -> Any:
        options = options_from_wire(message["options"])
        transcript = self.engine.transcribe_file(
            payload or b"", options, float(message["max_seconds"]), cancel
        )
        return transcript_to_wire(transcript)


class LLMHandlers:
    """One GGUF model under llama.cpp."""

    def __init__(self) -> None:
        self._engine: LlamaEngine | None = None

    @property
    def engine(self) -> LlamaEngine:
        if self._engine is None:
            raise ModelError("the language worker has no model loaded")
        return self._engine

    def load(self, message: Message, _: bytes | None, __: threading.Event, ___: Emit) -> Any:
        from daemon.device import resolve_llm_device
        from daemon.llm.engine import LlamaEngine

        device = resolve_llm_device(message["device"])
        info = model_from_wire(message["model"])
        self._engine = LlamaEngine(info, device, int(message["context_size"]))
        return {"device": device, "context_size": self._engine.context_size}

    def chat(self, message: Message, _: bytes | None, cancel: threading.Event, __: Emit) -> Any:
        params = params_from_wire(message["params"])
        return self.engine.chat(message["messages"], params, cancel)

    def stream(self, message: Message, _: bytes | None, cancel: threading.Event, emit: Emit) -> Any:
        params = params_from_wire(message["params"])
        for chunk in self.engine.stream_chat(message["messages"], params, cancel):
            emit(chunk)
        return None


def decode(message: Message, payload: bytes | None, _: threading.Event, __: Emit) -> Any:
    """An upload as 16 kHz mono PCM16, the media worker's one job (no model)."""
    from daemon.speech.audio import PCM16_BYTES_PER_SAMPLE, decode_pcm16

    pcm = decode_pcm16(payload or b"", float(message["max_seconds"]))
    return Reply({"samples": len(pcm) // PCM16_BYTES_PER_SAMPLE}, pcm)


def handlers_for(kind: str) -> dict[str, Handler]:
    """The request handlers of a worker of `kind`."""
    if kind == "media":
        return {"decode": decode}
    if kind == "speech":
        speech = SpeechHandlers()
        return {
            "load": speech.load,
            "transcribe": speech.transcribe,
            "transcribe_file": speech.transcribe_file,
        }
    llm = LLMHandlers()
    return {"load": llm.load, "chat": llm.chat, "stream": llm.stream}
