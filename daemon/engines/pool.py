"""Holders of one engine kind, keyed by installed model name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from daemon.device import DeviceName
from daemon.engines.holder import ModelHolder
from daemon.errors import ModelNotFoundError
from daemon.models.registry import Kind, ModelInfo, ModelRegistry

T = TypeVar("T")
KIND_NAMES = {"speech": "speech", "llm": "language"}


class ModelPool(Generic[T]):
    """Loads installed models of one kind on demand, each with its own lifetime."""

    def __init__(
        self,
        kind: Kind,
        default: str,
        registry: ModelRegistry,
        load: Callable[[ModelInfo], T],
        idle_timeout: int,
        device: DeviceName,
    ) -> None:
        self.kind: Kind = kind
        self.default = default
        self.device: DeviceName = device
        self._registry = registry
        self._load = load
        self._idle_timeout = idle_timeout
        self._holders: dict[str, ModelHolder[T]] = {}

    def holder(self, name: str | None = None) -> ModelHolder[T]:
        """The holder of a model (default when None); unknown names raise ModelNotFoundError."""
        name = name or self.default
        if name not in self._holders:
            installed = self._registry.names(self.kind)
            if name not in installed:
                raise ModelNotFoundError(
                    f"{KIND_NAMES[self.kind]} model {name!r} is not installed "
                    f"(installed: {', '.join(installed) or 'none'})"
                )
            model_name = name

            def load() -> T:
                return self._load(self._registry.resolve(self.kind, model_name))

            self._holders[name] = ModelHolder(name, load, self._idle_timeout)
        return self._holders[name]

    async def async_preload(self) -> None:
        """Load the default model now (config: load_at_start)."""
        await self.holder().async_load()

    def unload_all(self) -> None:
        """Free every loaded model (at shutdown)."""
        for holder in self._holders.values():
            holder.unload()

    def status(self) -> dict[str, object]:
        """Default model state, device and loaded models, for /v1/health."""
        holder = self._holders.get(self.default)
        status: dict[str, object] = (
            holder.status() if holder else {"name": self.default, "state": "unloaded"}
        )
        status["device"] = self.device
        status["loaded"] = sorted(n for n, h in self._holders.items() if h.state == "loaded")
        return status
