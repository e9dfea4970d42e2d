"""POST /v1/rewrite and GET /v1/rewrite/presets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from daemon.history.models import NewEntry
from daemon.history.service import Recorded
from daemon.rewrite.result import PieceOutcome, RewriteResult
from daemon.server.chat import stream_sse
from daemon.server.errors import ApiError
from daemon.server.keys import HISTORY, REWRITE, SETTINGS
from daemon.server.recorded import history_headers
from daemon.server.requests import read_model, source_app


class RewriteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1)]
    preset: str | None = None
    instruction: Annotated[str, Field(min_length=1, max_length=4000)] | None = None
    stream: bool = False
    model: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> RewriteRequest:
        if self.preset and self.instruction:
            raise ValueError("give either preset or instruction, not both")
        if not self.text.strip():
            raise ValueError("text is empty")
        return self


async def rewrite(request: web.Request) -> web.StreamResponse:
    """Rewrite text with a preset or an instruction; the answer carries a fidelity report."""
    body = await read_model(request, RewriteRequest)
    limit = request.app[SETTINGS].rewrite.max_text_chars
    if len(body.text) > limit:
        raise ApiError(400, f"text is longer than the limit of {limit} characters", param="text")
    service = request.app[REWRITE]
    if body.preset is not None:
        service.check_preset(body.preset)  # before a stream starts
    history = request.app[HISTORY]
    app_name = source_app(request)

    async def record(result: RewriteResult) -> Recorded:
        return await history.async_record(
            NewEntry(
                kind="rewrite",
                input_text=body.text,
                output_text=result.text,
                source_app=app_name,
                model=result.model,
                duration_seconds=result.seconds,
                fidelity=result.fidelity.to_dict(),
            )
        )

    if body.stream:
        events = service.async_stream(body.text, body.preset, body.instruction, body.model)
        return await stream_sse(request, _events(events, record))
    result = await service.async_rewrite(body.text, body.preset, body.instruction, body.model)
    recorded = await record(result)
    return web.json_response(
        {**result.to_dict(), "history": recorded}, headers=history_headers(history, recorded)
    )


async def _events(
    items: AsyncGenerator[PieceOutcome | RewriteResult, None],
    record: Callable[[RewriteResult], Awaitable[Recorded]],
) -> AsyncGenerator[list[dict[str, Any]], None]:
    """SSE events: one per piece as it is decided, then one `result` with the fidelity
    report. A rewritten piece comes as a `delta` (the deltas concatenated are the text,
    unless the merged text fails the guard: the result then holds the source); a sorted
    one (SOAP) as a `piece`, its text only in the result."""
    async with contextlib.aclosing(items):
        async for item in items:
            if isinstance(item, PieceOutcome):
                if item.section is None:
                    delta = item.before + item.text
                    yield [{"type": "delta", "delta": delta, "piece": item.to_dict()}]
                else:
                    yield [{"type": "piece", "piece": item.to_dict()}]
            else:
                recorded = await record(item)
                yield [{"type": "result", **item.to_dict(), "history": recorded}]


async def presets(request: web.Request) -> web.Response:
    """Built-in and user presets."""
    service = request.app[REWRITE]
    user = {p.name for p in request.app[SETTINGS].rewrite.presets}
    data = [
        {
            "name": p.name,
            "description": p.description,
            "instruction": p.instruction,
            "source": "user" if p.name in user else "built-in",
            "llm": p.llm,
            "default": p.name == service.default_preset,
        }
        for p in service.presets.values()
    ]
    return web.json_response({"object": "list", "data": data})
