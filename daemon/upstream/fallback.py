"""The local model that answers when the upstream cannot be reached (fallback "local"):
loaded on first need, counted in the upstream's state, freed with the engine."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from daemon.upstream.client import UpstreamClient
from daemon.upstream.errors import UpstreamUnreachableError

log = logging.getLogger(__name__)

T = TypeVar("T")


class LocalFallback(Generic[T]):
    """The local engine behind an upstream one, or None when the policy is "error"."""

    def __init__(self, client: UpstreamClient, load: Callable[[], T] | None) -> None:
        self._client = client
        self._load = load
        self._engine: T | None = None

    def take_over(self, error: UpstreamUnreachableError) -> T:
        """The local engine for this request; `error` again when there is none."""
        if self._load is None:
            raise error
        if self._engine is None:
            log.warning("upstream %s unreachable: the local model answers", self._client.where)
            self._engine = self._load()
        self._client.state.answered_by["local"] += 1
        return self._engine

    def close(self) -> None:
        """Free the local model, if it was loaded."""
        if self._engine is not None:
            close = getattr(self._engine, "close", None)
            if callable(close):
                close()
            self._engine = None
