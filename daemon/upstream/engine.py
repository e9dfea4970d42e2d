"""The upstream as an LLM engine: the same interface as the local ones (daemon.llm.engine),
so the rewrite service, the fidelity guard and /v1/chat/completions work unchanged.

With fallback "local", a server that cannot be reached hands the request to the local
embedded model instead, and the answer says so (`sottovoce.answered_by`); nothing is
sent anywhere else. A pin mismatch never falls back quietly: it is an error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from typing import Any

from daemon.device import DeviceName
from daemon.llm.engine import LLMEngine
from daemon.llm.types import Chunk, GenerationParams, Message
from daemon.upstream.client import UpstreamClient
from daemon.upstream.errors import UpstreamUnreachableError
from daemon.upstream.fallback import LocalFallback

log = logging.getLogger(__name__)

CHAT_PATH = "/chat/completions"


def request_body(messages: list[Message], params: GenerationParams, model: str) -> dict[str, Any]:
    """The OpenAI request for `params` (the same sampling the local engine gets)."""
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
        "presence_penalty": params.presence_penalty,
        "frequency_penalty": params.frequency_penalty,
    }
    if params.stop:
        body["stop"] = list(params.stop)
    if params.seed is not None:
        body["seed"] = params.seed
    return body


def answered_by(who: str, server: str) -> dict[str, str]:
    """What a response carries to tell the user which engine answered."""
    return {"answered_by": who, "server": server} if who == "upstream" else {"answered_by": who}


class UpstreamLLMEngine:
    """Chat completions from the practice's server, or the local model as its fallback."""

    device: DeviceName = "cpu"  # nothing runs on this machine's GPU
    context_size = 0  # the server's, not known here

    def __init__(
        self,
        client: UpstreamClient,
        model: str,
        fallback: Callable[[], LLMEngine] | None,
    ) -> None:
        self.client = client
        self.model = model
        self._fallback = LocalFallback(client, fallback)

    def chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> dict[str, Any]:
        """A whole completion from the server (blocking)."""
        try:
            result = self.client.post_json(
                CHAT_PATH, request_body(messages, params, self.model), self.model
            )
        except UpstreamUnreachableError as error:
            local = self._fallback.take_over(error)
            result = local.chat(messages, params, cancel)
            result["sottovoce"] = answered_by("local", "")
            return result
        self.client.state.answered_by["upstream"] += 1
        result["sottovoce"] = answered_by("upstream", self.client.where)
        return result

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> Generator[Chunk, None, None]:
        """Completion chunks from the server; the first one says which engine answers."""
        body = request_body(messages, params, self.model)
        events = self.client.stream_events(CHAT_PATH, body, self.model, cancel)
        try:
            first = next(events, None)
        except UpstreamUnreachableError as error:
            local = self._fallback.take_over(error)
            chunks = local.stream_chat(messages, params, cancel)
            for index, chunk in enumerate(chunks):
                if index == 0:
                    chunk["sottovoce"] = answered_by("local", "")
                yield chunk
            return
        self.client.state.answered_by["upstream"] += 1
        try:
            if first is not None:
                first["sottovoce"] = answered_by("upstream", self.client.where)
                yield first
            yield from events
        finally:
            events.close()

    def status(self) -> dict[str, object]:
        """Which server answers, for /v1/health."""
        return {"upstream": self.client.where, "upstream_model": self.model}

    def close(self) -> None:
        """Free the local fallback model, if it was loaded."""
        self._fallback.close()
