"""The typed values that cross the socketpair, as JSON (never pickle: the daemon must not
run code that a compromised worker sends it)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from daemon.errors import (
    ContextOverflowError,
    InvalidAudioError,
    LLMEngineError,
    LLMError,
    LLMRequestError,
    ModelError,
    ModelLoadError,
    SottovoceError,
    SpeechEngineError,
    SpeechError,
    SpeechRequestError,
)
from daemon.llm.types import GenerationParams
from daemon.models.registry import ModelInfo
from daemon.speech.types import Segment, TranscribeOptions, Transcript, WordTiming

# The only errors a worker can make the daemon raise; anything else becomes the kind's base.
ERRORS: dict[str, type[SottovoceError]] = {
    cls.__name__: cls
    for cls in (
        SpeechError,
        SpeechRequestError,
        InvalidAudioError,
        SpeechEngineError,
        LLMError,
        LLMRequestError,
        LLMEngineError,
        ContextOverflowError,
        ModelError,
        ModelLoadError,
    )
}


def error_to_wire(error: SottovoceError) -> dict[str, Any]:
    """An error's class name and its user-safe message."""
    return {"error": type(error).__name__, "message": str(error)}


def error_from_wire(message: dict[str, Any], default: type[SottovoceError]) -> SottovoceError:
    """The error a worker reported, limited to the known classes."""
    return ERRORS.get(str(message.get("error")), default)(str(message.get("message", "")))


def model_to_wire(info: ModelInfo) -> dict[str, Any]:
    return {**asdict(info), "path": str(info.path)}


def model_from_wire(data: dict[str, Any]) -> ModelInfo:
    return ModelInfo(**{**data, "path": Path(data["path"])})


def options_to_wire(options: TranscribeOptions) -> dict[str, Any]:
    return asdict(options)


def options_from_wire(data: dict[str, Any]) -> TranscribeOptions:
    return TranscribeOptions(**data)


def params_to_wire(params: GenerationParams) -> dict[str, Any]:
    return asdict(params)


def params_from_wire(data: dict[str, Any]) -> GenerationParams:
    return GenerationParams(**{**data, "stop": tuple(data["stop"])})


def transcript_to_wire(transcript: Transcript) -> dict[str, Any]:
    return asdict(transcript)


def transcript_from_wire(data: dict[str, Any]) -> Transcript:
    segments = tuple(
        Segment(
            **{
                **segment,
                "tokens": tuple(segment["tokens"]),
                "words": tuple(WordTiming(**word) for word in segment["words"]),
            }
        )
        for segment in data["segments"]
    )
    return Transcript(
        text=data["text"], language=data["language"], duration=data["duration"], segments=segments
    )
