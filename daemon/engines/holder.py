"""Load a model on first use, keep it warm, unload it after an idle TTL.

The holder counts users: a model is never unloaded while a request holds it.
Idle timeout: -1 never unloads, 0 unloads as soon as the last user leaves,
N unloads N seconds after the last user left. Loading and unloading run on the
engine's own thread; a cancelled request never abandons a half-loaded model.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from typing import Generic, Literal, TypeVar

from daemon.errors import ModelLoadError, SottovoceError

log = logging.getLogger(__name__)

T = TypeVar("T")
State = Literal["unloaded", "loading", "loaded", "error"]


def _alive(model: object) -> bool:
    # An engine in a worker process says whether the process still runs.
    return bool(getattr(model, "alive", True))


def _release(model: object) -> None:
    close = getattr(model, "close", None)
    if callable(close):
        close()
    del model
    # Model objects hold large native buffers: collect now, not later.
    gc.collect()


class ModelHolder(Generic[T]):
    """Owns one loaded model instance and its lifetime."""

    def __init__(
        self, name: str, loader: Callable[[], T], idle_timeout: int, executor: Executor
    ) -> None:
        self.name = name
        self._executor = executor
        self._loader = loader
        self._idle_timeout = idle_timeout
        self._model: T | None = None
        self._loading: asyncio.Future[T] | None = None
        self._users = 0
        self._unload_timer: asyncio.TimerHandle | None = None
        self.state: State = "unloaded"
        self.error: str | None = None

    @property
    def model(self) -> T | None:
        """The loaded model, if any (for status; requests go through `use`)."""
        return self._model

    async def async_load(self) -> T:
        """Load the model now unless it is already loaded (concurrent callers share one load);
        a model whose worker died is loaded again."""
        if self._model is not None and not _alive(self._model):
            model, self._model = self._model, None
            self.state = "unloaded"
            log.warning("model %s: its engine process had stopped; starting it again", self.name)
            await asyncio.get_running_loop().run_in_executor(self._executor, _release, model)
        if self._model is not None:
            return self._model
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        # Shielded: a cancelled caller must not abandon the load for everyone else.
        return await asyncio.shield(self._loading)

    async def _load(self) -> T:
        self.state = "loading"
        log.info("loading model %s", self.name)
        try:
            model = await asyncio.get_running_loop().run_in_executor(self._executor, self._loader)
        except SottovoceError as error:
            self.state, self.error = "error", str(error)
            raise
        except Exception as error:
            self.state = "error"
            self.error = (
                f"model {self.name!r} failed to load ({type(error).__name__}); see the daemon "
                f"log, check the model, or remove it with `sottovoce models remove {self.name}`"
            )
            log.error("loading model %s failed: %s", self.name, type(error).__name__)
            raise ModelLoadError(self.error) from error
        finally:
            self._loading = None
        self._model = model
        self.state, self.error = "loaded", None
        log.info("model %s loaded", self.name)
        return model

    @asynccontextmanager
    async def use(self) -> AsyncIterator[T]:
        """Hold the model for the duration of one request."""
        self._cancel_timer()
        self._users += 1
        try:
            yield await self.async_load()
        finally:
            self._users -= 1
            if self._users == 0:
                self._schedule_unload()

    def _cancel_timer(self) -> None:
        if self._unload_timer is not None:
            self._unload_timer.cancel()
            self._unload_timer = None

    def _schedule_unload(self) -> None:
        if self._idle_timeout < 0 or self._model is None:
            return
        loop = asyncio.get_running_loop()
        self._unload_timer = loop.call_later(self._idle_timeout, self._unload_if_idle)

    def _unload_if_idle(self) -> None:
        self._unload_timer = None
        if self._users == 0 and self._model is not None:
            model, self._model = self._model, None
            self.state = "unloaded"
            log.info("model %s unloaded after idle timeout", self.name)
            # Freeing can wait for a native thread: never on the event loop.
            asyncio.get_running_loop().run_in_executor(self._executor, _release, model)

    async def async_unload(self) -> None:
        """Drop the model now, if no request holds it."""
        self._cancel_timer()
        if self._users or self._model is None:
            return
        model, self._model = self._model, None
        self.state = "unloaded"
        await asyncio.get_running_loop().run_in_executor(self._executor, _release, model)

    def status(self) -> dict[str, object]:
        """State for /v1/health."""
        status: dict[str, object] = {"name": self.name, "state": self.state}
        if self.error:
            status["error"] = self.error
        if self._model is not None and not _alive(self._model):
            status["state"] = "error"
            status["error"] = "its engine process stopped; it starts again on the next request"
        return status
