"""The daemon's handle on clinic mode: the clients per engine kind, the routes they add
to the engine pools, the upstream's models and its state for /v1/health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from daemon.guard import door
from daemon.history.service import History
from daemon.llm.engine import LLMEngine
from daemon.models.registry import ModelInfo, ModelRegistry
from daemon.upstream.audit import Recorder, UpstreamRecord, log_only
from daemon.upstream.client import UpstreamClient
from daemon.upstream.engine import UpstreamLLMEngine
from daemon.upstream.errors import UpstreamError
from daemon.upstream.settings import UpstreamSettings
from daemon.upstream.setup import connect_upstream

log = logging.getLogger(__name__)

MODELS_PATH = "/models"


def history_recorder(history: History) -> Recorder:
    """Audit records into the encrypted history; the log when the history is off."""

    def record(entry: UpstreamRecord) -> None:
        store = history.store
        if store is None:
            log_only(entry)
            return
        try:
            store.record_upstream(entry)
        except Exception as error:  # an audit failure is loud, never a lost answer
            log.error("upstream audit record not stored: %s", type(error).__name__)

    return record


class Upstream:
    """Which engine kinds the practice's server answers for (none: all local)."""

    def __init__(self, llm: UpstreamClient | None = None) -> None:
        self.llm = llm
        # Shared with the LLM pool: a model the upstream lists becomes routable.
        self._routes: dict[str, Callable[[], LLMEngine]] = {}
        self._fallback: Callable[[], LLMEngine] | None = None

    @property
    def active(self) -> bool:
        return self.llm is not None

    def llm_routes(
        self,
        fallback_model: str,
        registry: ModelRegistry,
        load: Callable[[ModelInfo], LLMEngine],
    ) -> tuple[dict[str, Callable[[], LLMEngine]], str | None]:
        """The LLM pool's remote models and its default (the upstream's model)."""
        client = self.llm
        if client is None:
            return {}, None
        if client.settings.fallback == "local":
            self._fallback = lambda: load(registry.resolve("llm", fallback_model))
        self._route(client.settings.model)
        return self._routes, client.settings.model

    def _route(self, model: str) -> None:
        client, fallback = self.llm, self._fallback
        if client is None or model in self._routes:
            return

        def engine() -> LLMEngine:
            assert client is not None
            return UpstreamLLMEngine(client, model, fallback)

        self._routes[model] = engine

    async def async_models(self) -> list[dict[str, Any]]:
        """The upstream's models in OpenAI's shape (the configured one if it cannot say)."""
        client = self.llm
        if client is None:
            return []
        listed: list[str] = [client.settings.model]
        try:
            answer = await asyncio.to_thread(client.get_json, MODELS_PATH)
            data = answer.get("data")
            if isinstance(data, list):
                listed += [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]
        except UpstreamError as error:
            log.warning("the upstream's models could not be listed: %s", error)
        for name in listed:
            self._route(name)
        return [
            {
                "id": name,
                "object": "model",
                "created": 0,
                "owned_by": f"upstream-{client.where}",
                "kind": "llm",
            }
            for name in dict.fromkeys(listed)
        ]

    def status(self) -> dict[str, object]:
        """Per engine kind: the server, its pin, its state; empty when off."""
        status: dict[str, object] = {}
        if self.llm is not None:
            client = self.llm
            status["llm"] = {
                "url": client.settings.url,
                "pin": client.settings.pin or None,
                "model": client.settings.model,
                "fallback": client.settings.fallback,
                "state": client.state.state,
                "error": client.state.error,
                "requests": client.state.requests,
                "answered_by": dict(client.state.answered_by),
                # What the outbound guard lets this process reach, and nothing else.
                "door": [f"{address} port {port}" for address, port in door()],
            }
        return status


async def async_open(settings: UpstreamSettings, history: History) -> Upstream:
    """Open the configured doors (resolving each name once); all local when none."""
    if settings.llm is None:
        return Upstream()
    record = history_recorder(history)
    client = await asyncio.to_thread(connect_upstream, "llm", settings.llm, record)
    return Upstream(llm=client)
