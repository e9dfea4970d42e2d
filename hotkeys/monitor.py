"""One watcher of the daemon's health, shared by the agent and the tray (one poll, not two)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from daemon.client import DaemonAddress, ImpostorError, request_json
from daemon.errors import SottovoceError

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 5.0
NOT_RUNNING = "the Sottovoce daemon is not running"


@dataclass(frozen=True)
class DaemonStatus:
    """What the last poll found: the health answer, or why there is none."""

    health: dict[str, Any] | None
    problem: str = ""  # "" while the daemon answers
    impostor: bool = False  # another program holds the daemon's address


Subscriber = Callable[[DaemonStatus], None]


class DaemonMonitor:
    """Polls GET /v1/health; subscribers hear of every change, on the loop."""

    def __init__(
        self, address: Callable[[], DaemonAddress], interval: float = HEALTH_INTERVAL_S
    ) -> None:
        self._address = address
        self.interval = interval
        self.status: DaemonStatus | None = None  # None until the first poll
        self._subscribers: list[Subscriber] = []

    @property
    def health(self) -> dict[str, Any] | None:
        """The latest health answer; None while unknown or while the daemon does not answer."""
        return None if self.status is None else self.status.health

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber(status)` on each change (at once if known); returns an unsubscribe."""
        self._subscribers.append(subscriber)
        if self.status is not None:
            subscriber(self.status)
        return lambda: self._subscribers.remove(subscriber)

    async def async_check(self, session: aiohttp.ClientSession) -> DaemonStatus:
        """Poll once and tell the subscribers if anything changed."""
        try:
            # The first request on each new connection has the daemon prove itself.
            health = await request_json(session, self._address(), "GET", "/v1/health", timeout=5)
            status = DaemonStatus(health)
        except ImpostorError as error:
            status = DaemonStatus(None, str(error), impostor=True)
        except SottovoceError:
            status = DaemonStatus(None, NOT_RUNNING)
        if status != self.status:
            self.status = status
            for subscriber in list(self._subscribers):
                try:
                    subscriber(status)
                except Exception:  # one broken subscriber must not stop the others
                    log.exception("a daemon status subscriber failed")
        return status

    async def async_run(self, session: aiohttp.ClientSession) -> None:
        """Poll every `interval` seconds until cancelled."""
        while True:
            await self.async_check(session)
            await asyncio.sleep(self.interval)
