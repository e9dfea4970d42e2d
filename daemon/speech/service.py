"""The speech service the API uses: model lookup, lifetime, one job at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from daemon.config import SpeechSettings
from daemon.device import DeviceName, resolve_speech_device
from daemon.engines.holder import ModelHolder
from daemon.engines.queue import WorkQueue
from daemon.errors import ModelNotFoundError
from daemon.models.registry import OPENAI_SPEECH_ALIAS, ModelInfo, ModelRegistry
from daemon.speech.audio import Audio
from daemon.speech.engine import SpeechEngine, WhisperEngine
from daemon.speech.types import TranscribeOptions, Transcript

EngineFactory = Callable[[ModelInfo, DeviceName, str], SpeechEngine]


class SpeechService:
    """Transcribes with the installed Whisper models, loading them as needed."""

    def __init__(
        self,
        settings: SpeechSettings,
        registry: ModelRegistry,
        factory: EngineFactory = WhisperEngine,
    ) -> None:
        self.settings = settings
        self._registry = registry
        self._factory = factory
        self.device, self.compute_type = resolve_speech_device(settings.device)
        self._holders: dict[str, ModelHolder[SpeechEngine]] = {}
        self.queue = WorkQueue("speech", max_waiting=settings.queue_size)

    @property
    def default_model(self) -> str:
        return self.settings.model

    def model_name(self, requested: str | None) -> str:
        """Map an API model name to an installed one; '' and 'whisper-1' mean the default."""
        if not requested or requested == OPENAI_SPEECH_ALIAS:
            return self.settings.model
        return requested

    def holder(self, name: str) -> ModelHolder[SpeechEngine]:
        """The lifetime holder of one model; unknown names raise ModelError."""
        if name not in self._holders:
            if name not in self._registry.names("speech"):
                installed = ", ".join(self._registry.names("speech")) or "none"
                raise ModelNotFoundError(
                    f"speech model {name!r} is not installed (installed: {installed})"
                )

            def load() -> SpeechEngine:
                info = self._registry.resolve("speech", name)
                return self._factory(info, self.device, self.compute_type)

            self._holders[name] = ModelHolder(name, load, self.settings.idle_timeout)
        return self._holders[name]

    async def async_transcribe(
        self, audio: Audio, options: TranscribeOptions, model: str | None = None
    ) -> Transcript:
        """Transcribe off the event loop, waiting in the bounded queue."""
        holder = self.holder(self.model_name(model))
        async with self.queue.slot(), holder.use() as engine:
            return await asyncio.to_thread(engine.transcribe, audio, options)

    async def async_preload(self) -> None:
        """Load the default model now (config: load_at_start)."""
        await self.holder(self.settings.model).async_load()

    def unload_all(self) -> None:
        """Free every loaded model (at shutdown)."""
        for holder in self._holders.values():
            holder.unload()

    def status(self) -> dict[str, object]:
        """Default model state and device, for /v1/health."""
        name = self.settings.model
        holder = self._holders.get(name)
        status: dict[str, object] = (
            holder.status() if holder else {"name": name, "state": "unloaded"}
        )
        status["device"] = self.device
        status["loaded"] = [n for n, h in self._holders.items() if h.state == "loaded"]
        return status
