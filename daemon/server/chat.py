"""POST /v1/chat/completions, OpenAI-compatible, with SSE streaming."""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from daemon.errors import SottovoceError
from daemon.llm.types import Chunk, GenerationParams, Message
from daemon.server.errors import ApiError, error_body, from_domain_error
from daemon.server.keys import LLM, SETTINGS
from daemon.server.requests import read_model

log = logging.getLogger(__name__)


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    # Required, as OpenAI has it; only an assistant turn may carry null.
    content: str | list[TextPart] | None

    @model_validator(mode="after")
    def _content_given(self) -> ChatMessage:
        if self.content is None and self.role != "assistant":
            raise ValueError(f"content is required for a {self.role} message")
        return self

    def to_llama(self) -> Message:
        text = (
            self.content
            if isinstance(self.content, str)
            else "".join(part.text for part in self.content or [])
        )
        role = "system" if self.role == "developer" else self.role
        return {"role": role, "content": text}


class ChatRequest(BaseModel):
    # Unknown OpenAI fields (user, metadata, ...) are accepted and ignored.
    model_config = ConfigDict(extra="ignore")

    messages: Annotated[list[ChatMessage], Field(min_length=1, max_length=256)]
    model: str | None = None
    temperature: Annotated[float, Field(ge=0.0, le=2.0)] = 0.7
    top_p: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    max_tokens: Annotated[int, Field(ge=1)] | None = None
    max_completion_tokens: Annotated[int, Field(ge=1)] | None = None
    stop: str | Annotated[list[str], Field(max_length=4)] | None = None
    seed: Annotated[int, Field(ge=-(2**63), lt=2**64)] | None = None
    stream: bool = False
    n: Annotated[int, Field(ge=1, le=1)] = 1
    presence_penalty: Annotated[float, Field(ge=-2.0, le=2.0)] = 0.0
    frequency_penalty: Annotated[float, Field(ge=-2.0, le=2.0)] = 0.0

    @field_validator("messages")
    @classmethod
    def _has_user_turn(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if not any(m.role == "user" for m in messages):
            raise ValueError("at least one message must have the role 'user'")
        return messages

    def params(self, limit: int) -> GenerationParams:
        """Generation parameters, refusing max_tokens beyond the configured limit."""
        wanted = self.max_completion_tokens or self.max_tokens or min(limit, 512)
        if wanted > limit:
            raise ApiError(400, f"max_tokens must be at most {limit}", param="max_tokens")
        stop = (self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ())
        return GenerationParams(
            temperature=self.temperature,
            top_p=self.top_p,
            max_tokens=wanted,
            stop=stop,
            seed=self.seed,
            presence_penalty=self.presence_penalty,
            frequency_penalty=self.frequency_penalty,
        )


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """Generate a chat completion, whole or streamed as server-sent events."""
    body = await read_model(request, ChatRequest)
    llm = request.app[LLM]
    params = body.params(request.app[SETTINGS].llm.max_tokens)
    messages = [m.to_llama() for m in body.messages]
    name = llm.holder(body.model).name  # an unknown model is a 404 before anything else
    if not body.stream:
        result = await llm.async_chat(messages, params, name)
        result["model"] = name
        return web.json_response(result)
    return await stream_sse(request, _chunks(llm.async_stream(messages, params, name), name))


async def _chunks(
    batches: AsyncGenerator[list[Chunk], None], name: str
) -> AsyncGenerator[list[dict[str, Any]], None]:
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    async with contextlib.aclosing(batches):
        async for batch in batches:
            for chunk in batch:
                chunk.update(id=completion_id, created=created, model=name)
            yield batch


async def stream_sse(
    request: web.Request, events: AsyncGenerator[list[dict[str, Any]], None]
) -> web.StreamResponse:
    """Send batches of events as SSE (one write each), ending with [DONE].

    A vanished client stops the generator.
    """
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    try:
        first = await anext(events)
    except StopAsyncIteration:
        first = None
    # Errors before the first event still get a proper status code.
    await response.prepare(request)
    try:
        if first is not None:
            await _send(response, first)
            async for batch in events:
                await _send(response, batch)
        await response.write(b"data: [DONE]\n\n")
    except ConnectionError:
        log.info("client left a stream early; generation stopped")
        return response
    except Exception as error:
        # The status line is sent: the error goes into the stream as its last event.
        if isinstance(error, SottovoceError):
            failure = from_domain_error(error)
        else:
            log.error("stream failed: %s", type(error).__name__)
            failure = ApiError(500, "internal error; see the daemon log")
        with contextlib.suppress(ConnectionError):
            await _send(
                response, [error_body(failure.status, failure.message, failure.param, failure.code)]
            )
    finally:
        await events.aclose()
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response


async def _send(response: web.StreamResponse, events: list[dict[str, Any]]) -> None:
    await response.write(b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events))
