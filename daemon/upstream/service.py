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
from daemon.speech.audio import Decoder
from daemon.speech.engine import SpeechEngine
from daemon.upstream.audit import Recorder, UpstreamRecord, log_only
from daemon.upstream.client import UpstreamClient
from daemon.upstream.engine import UpstreamLLMEngine
from daemon.upstream.errors import UpstreamError, UpstreamRequestError
from daemon.upstream.settings import UpstreamSettings
from daemon.upstream.setup import connect_upstream
from daemon.upstream.speech import UpstreamSpeechEngine

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

    def __init__(
        self, llm: UpstreamClient | None = None, speech: UpstreamClient | None = None
    ) -> None:
        self.llm = llm
        self.speech = speech
        # Shared with the LLM pool: a model the upstream lists becomes routable.
        self._routes: dict[str, Callable[[], LLMEngine]] = {}
        self._fallback: Callable[[], LLMEngine] | None = None

    @property
    def active(self) -> bool:
        return self.llm is not None or self.speech is not None

    def clients(self) -> list[UpstreamClient]:
        """The configured clients, LLM first."""
        return [c for c in (self.llm, self.speech) if c is not None]

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

    def speech_routes(
        self,
        fallback_model: str,
        registry: ModelRegistry,
        load: Callable[[ModelInfo], SpeechEngine],
        decoder: Callable[[], Decoder],
    ) -> tuple[dict[str, Callable[[], SpeechEngine]], str | None]:
        """The speech pool's remote model and its default (the upstream's model); each
        engine gets its own decoder of uploads from `decoder`."""
        client = self.speech
        if client is None:
            return {}, None
        fallback: Callable[[], SpeechEngine] | None = None
        if client.settings.fallback == "local":
            fallback = lambda: load(registry.resolve("speech", fallback_model))  # noqa: E731
        model = client.settings.model
        return {model: lambda: UpstreamSpeechEngine(client, model, fallback, decoder())}, model

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
        models: list[dict[str, Any]] = []
        if self.llm is not None:
            listed = await _async_listed(self.llm)
            for name in listed:
                self._route(name)
            models += [_model(name, self.llm, "llm") for name in listed]
        if self.speech is not None:
            # The same server as the LLM's lists its models once, as LLM ones above.
            same = self.llm is not None and self.llm.settings.url == self.speech.settings.url
            names = [self.speech.settings.model] if same else await _async_listed(self.speech)
            models += [_model(name, self.speech, "speech") for name in names]
        return models

    def status(self) -> dict[str, object]:
        """Per engine kind: the server, its pin, its state; empty when off."""
        return {client.engine: _client_status(client) for client in self.clients()}


async def _async_listed(client: UpstreamClient) -> list[str]:
    """The configured model, then those the server lists (a server without
    GET /models, such as faster-whisper-server, has only the configured one)."""
    listed: list[str] = [client.settings.model]
    try:
        answer = await asyncio.to_thread(client.get_json, MODELS_PATH)
        data = answer.get("data")
        if isinstance(data, list):
            listed += [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]
    except (UpstreamError, UpstreamRequestError) as error:
        log.warning("the upstream's %s models could not be listed: %s", client.engine, error)
    return list(dict.fromkeys(listed))


def _model(name: str, client: UpstreamClient, kind: str) -> dict[str, Any]:
    return {
        "id": name,
        "object": "model",
        "created": 0,
        "owned_by": f"upstream-{client.where}",
        "kind": kind,
    }


def _client_status(client: UpstreamClient) -> dict[str, object]:
    port = client.settings.port
    addresses = {address.split("%", 1)[0] for _, address in client.addresses}
    return {
        "url": client.settings.url,
        "pin": client.settings.pin or None,
        "model": client.settings.model,
        "fallback": client.settings.fallback,
        "state": client.state.state,
        "error": client.state.error,
        "requests": client.state.requests,
        "answered_by": dict(client.state.answered_by),
        # What the outbound guard lets this process reach for this engine kind; the
        # whole door is these, for every configured kind, and nothing else.
        "door": [f"{a} port {p}" for a, p in door() if p == port and a in addresses],
    }


async def async_open(settings: UpstreamSettings, history: History) -> Upstream:
    """Open the configured doors (resolving each name once); all local when none."""
    record = history_recorder(history)
    clients: dict[str, UpstreamClient] = {}
    for engine, configured in (("llm", settings.llm), ("speech", settings.speech)):
        if configured is not None:
            clients[engine] = await asyncio.to_thread(connect_upstream, engine, configured, record)
    return Upstream(llm=clients.get("llm"), speech=clients.get("speech"))
