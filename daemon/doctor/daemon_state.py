"""What the doctor learnt about this user's daemon: its own leaf, so the probe and the context share it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from daemon.runtime import RuntimeInfo


@dataclass(frozen=True)
class DaemonState:
    """What the runtime file, the identity proof and GET /v1/health say about this user's daemon."""

    runtime: RuntimeInfo | None
    health: Mapping[str, Any] | None
    #: Why `health` is missing, in words.
    problem: str | None = None
    #: Who holds the daemon's address without being this user's daemon, in words.
    impostor: str | None = None
    #: Where this user's clients connect: the socket path or the URL.
    where: str = ""

    @property
    def running(self) -> bool:
        """Whether a daemon answered."""
        return self.health is not None
