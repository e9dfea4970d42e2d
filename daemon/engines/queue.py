"""One job at a time per engine with a bounded number of waiters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from daemon.errors import BusyError


class WorkQueue:
    """A lock with a bounded waiting line: when the line is full, refuse at once."""

    def __init__(self, name: str, max_waiting: int, retry_after: int = 2) -> None:
        self._name = name
        self._max_waiting = max_waiting
        self._retry_after = retry_after
        self._lock = asyncio.Lock()
        self._waiting = 0

    def status(self) -> dict[str, object]:
        """Whether a job runs and how many wait, for /v1/health."""
        return {"busy": self._lock.locked(), "waiting": self._waiting}

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for this engine, or raise BusyError if too many already wait."""
        if self._lock.locked() and self._waiting >= self._max_waiting:
            raise BusyError(
                f"the {self._name} engine is busy; retry in a moment",
                retry_after=self._retry_after,
            )
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._lock.release()
