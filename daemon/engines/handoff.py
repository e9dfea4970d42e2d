"""Items from a worker thread to the event loop, in batches.

Waking the loop for every generated token costs more than the token on a small
CPU: each wake preempts one of llama.cpp's compute threads. The worker only
wakes the loop when it is idle; once the stream is under way the consumer lets
a few items gather between batches. The first items (for a chat: the role
chunk, then the first token) are passed on at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    """`put` from any thread; `batches()` on the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gather_s: float) -> None:
        self._loop = loop
        self._gather_s = gather_s
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self._consumer_idle = False
        self._wake = asyncio.Event()

    def put(self, item: T) -> None:
        """Hand one item over (thread-safe)."""
        with self._lock:
            self._items.append(item)
            wake, self._consumer_idle = self._consumer_idle, False
        if wake:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def batches(self) -> AsyncIterator[list[T]]:
        """Every item, in order, a batch at a time (forever: the caller stops)."""
        started: float | None = None
        while True:
            with self._lock:
                batch = list(self._items)
                self._items.clear()
                if not batch:
                    self._consumer_idle = True
                    self._wake.clear()
            if not batch:
                await self._wake.wait()
                continue
            yield batch
            now = self._loop.time()
            started = now if started is None else started
            if now - started >= 2 * self._gather_s:
                await asyncio.sleep(self._gather_s)
