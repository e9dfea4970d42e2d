"""Holders of one engine kind, keyed by installed model name, with one job at a time."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from daemon.engines.holder import ModelHolder
from daemon.engines.queue import WorkQueue
from daemon.errors import ModelNotFoundError
from daemon.models.registry import KIND_NAMES, Kind, ModelInfo, ModelRegistry

T = TypeVar("T")
R = TypeVar("R")


class ModelPool(Generic[T]):
    """Loads installed models of one kind on demand, each with its own lifetime."""

    def __init__(
        self,
        kind: Kind,
        default: str,
        registry: ModelRegistry,
        load: Callable[[ModelInfo], T],
        idle_timeout: int,
        device_setting: str,
        queue_size: int,
        remote: Mapping[str, Callable[[], T]] | None = None,
    ) -> None:
        self.kind: Kind = kind
        # Models served by another machine (clinic mode): name -> how to reach it.
        self.remote: Mapping[str, Callable[[], T]] = remote or {}
        # Starts as configured; the tray may change it while the daemon runs.
        self.default = default
        self._device_setting = device_setting
        self.queue = WorkQueue(f"{KIND_NAMES[kind]} model", max_waiting=queue_size)
        self._registry = registry
        self._load = load
        self._idle_timeout = idle_timeout
        self._holders: dict[str, ModelHolder[T]] = {}
        # Every call into the engines runs on this one long-lived thread. Engine workers
        # are started from it (their parent-death signal follows the starting thread);
        # an in-process engine's OpenMP runtime keeps a pool per calling thread, and
        # changing threads leave idle pools spinning (measured: half the token rate).
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{kind}-engine")

    @property
    def device(self) -> str:
        """Where the models run: the device a loaded model reported (the engine decides
        "auto"), else the setting."""
        for holder in self._holders.values():
            device = getattr(holder.model, "device", None)
            if device is not None:
                return str(device)
        return self._device_setting

    def check_installed(self, name: str, param: str = "model") -> None:
        """ModelNotFoundError (naming `param`) unless a model of that name is installed."""
        if name in self.remote:
            return
        installed = self._registry.names(self.kind)
        if name not in installed:
            raise ModelNotFoundError.named(KIND_NAMES[self.kind], name, installed, param)

    async def async_set_default(self, name: str) -> None:
        """Make an installed model the default and free the old default's memory now
        (a no-op while a request holds it)."""
        if name == self.default:
            return
        previous, self.default = self.default, name
        if previous in self._holders:
            await self._holders[previous].async_unload()

    def holder(self, name: str | None = None) -> ModelHolder[T]:
        """The holder of a model (default when None); unknown names raise ModelNotFoundError."""
        name = name or self.default
        if name not in self._holders:
            load = self.remote.get(name) or self._local_loader(name)
            self._holders[name] = ModelHolder(name, load, self._idle_timeout, self.executor)
        return self._holders[name]

    def _local_loader(self, name: str) -> Callable[[], T]:
        self.check_installed(name)
        return lambda: self._load(self._registry.resolve(self.kind, name))

    async def async_run(
        self,
        work: Callable[[T], R],
        model: str | None = None,
        cancel: threading.Event | None = None,
    ) -> R:
        """Run `work(engine)` in a worker thread, one job at a time per pool.

        A thread cannot be interrupted: when the caller is cancelled (a client
        left), `cancel` is set for the work to stop early, and the queue slot and
        the model stay held until the thread ends, so the next job never runs
        beside it.
        """
        holder = self.holder(model)
        async with self.queue.slot(), holder.use() as engine:
            job = asyncio.get_running_loop().run_in_executor(self.executor, work, engine)
            try:
                return await asyncio.shield(job)
            except asyncio.CancelledError:
                if cancel is not None:
                    cancel.set()
                await finish_uncancellable(job)
                raise

    async def async_preload(self) -> None:
        """Load the default model now (config: load_at_start); the idle timer starts."""
        async with self.holder().use():
            pass

    async def async_unload_all(self) -> None:
        """Free every loaded model and the engine thread (at shutdown)."""
        for holder in self._holders.values():
            await holder.async_unload()
        self.executor.shutdown(wait=False)

    def status(self) -> dict[str, object]:
        """Default model state, device, queue and loaded models, for /v1/health."""
        holder = self._holders.get(self.default)
        status: dict[str, object] = (
            holder.status() if holder else {"name": self.default, "state": "unloaded"}
        )
        status["device"] = self.device
        status.update(self.queue.status())
        status["loaded"] = sorted(n for n, h in self._holders.items() if h.state == "loaded")
        if holder is not None and holder.model is not None:
            status.update(self.engine_status(holder.model))
        return status

    def engine_status(self, engine: T) -> dict[str, object]:
        """What a loaded engine adds to the status: its worker's pid and egress protection."""
        status = getattr(engine, "status", None)
        return dict(status()) if callable(status) else {}


async def finish_uncancellable(job: asyncio.Future[Any]) -> None:
    """Wait for a worker-thread job to end, even through further cancellations."""
    while not job.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({job})
