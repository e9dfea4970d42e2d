"""The speech service the API uses: model lookup, lifetime, one job at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from daemon.config import SpeechSettings
from daemon.engines.pool import ModelPool
from daemon.models.registry import OPENAI_SPEECH_ALIAS, ModelInfo, ModelRegistry
from daemon.speech.audio import MAX_AUDIO_SECONDS, Audio
from daemon.speech.engine import SpeechEngine
from daemon.speech.types import TranscribeOptions, Transcript


class SpeechService(ModelPool[SpeechEngine]):
    """Transcribes with the installed Whisper models, loading them as needed."""

    def __init__(
        self,
        settings: SpeechSettings,
        registry: ModelRegistry,
        load: Callable[[ModelInfo], SpeechEngine],
        remote: Mapping[str, Callable[[], SpeechEngine]] | None = None,
        default: str | None = None,
    ) -> None:
        """`remote` and `default`: models on the practice's server (clinic mode), one of
        them the default instead of the configured local model."""
        super().__init__(
            "speech",
            default or settings.model,
            registry,
            load,
            settings.idle_timeout,
            settings.device,
            settings.queue_size,
            remote,
        )
        self.settings = settings

    def is_remote(self, name: str | None) -> bool:
        """Whether a model is on the practice's server (dictation then sends on release)."""
        return self.model_name(name) in self.remote

    def model_name(self, requested: str | None) -> str:
        """Map an API model name to an installed one; '' and 'whisper-1' mean the default."""
        if not requested or requested == OPENAI_SPEECH_ALIAS:
            return self.default
        return requested

    async def async_transcribe(
        self, audio: Audio, options: TranscribeOptions, model: str | None = None
    ) -> Transcript:
        """Transcribe off the event loop, waiting in the bounded queue; cancelling the
        caller stops the decoding."""
        cancel = threading.Event()
        return await self.async_run(
            lambda engine: engine.transcribe(audio, options, cancel), self.model_name(model), cancel
        )

    async def async_transcribe_file(
        self,
        data: bytes,
        options: TranscribeOptions,
        model: str | None = None,
        max_seconds: float = MAX_AUDIO_SECONDS,
    ) -> Transcript:
        """Decode an uploaded file and transcribe it, in the engine's turn (decoding holds
        memory too, so it waits in the same bounded queue); cancelling stops the decoding."""
        cancel = threading.Event()
        return await self.async_run(
            lambda engine: engine.transcribe_file(data, options, max_seconds, cancel),
            self.model_name(model),
            cancel,
        )
