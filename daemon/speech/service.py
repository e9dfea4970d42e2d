"""The speech service the API uses: model lookup, lifetime, one job at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable

from daemon.config import SpeechSettings
from daemon.device import DeviceName, resolve_speech_device
from daemon.engines.pool import ModelPool
from daemon.models.registry import OPENAI_SPEECH_ALIAS, ModelInfo, ModelRegistry
from daemon.speech.audio import Audio
from daemon.speech.engine import SpeechEngine, WhisperEngine
from daemon.speech.types import TranscribeOptions, Transcript

EngineFactory = Callable[[ModelInfo, DeviceName, str], SpeechEngine]


class SpeechService(ModelPool[SpeechEngine]):
    """Transcribes with the installed Whisper models, loading them as needed."""

    def __init__(
        self,
        settings: SpeechSettings,
        registry: ModelRegistry,
        factory: EngineFactory = WhisperEngine,
    ) -> None:
        device, compute_type = resolve_speech_device(settings.device)
        super().__init__(
            "speech",
            settings.model,
            registry,
            lambda info: factory(info, device, compute_type),
            settings.idle_timeout,
            device,
            settings.queue_size,
        )
        self.settings = settings

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
