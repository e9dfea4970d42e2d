"""GET /v1/health and GET /v1/models."""

from __future__ import annotations

import asyncio

from aiohttp import web

from daemon import __version__
from daemon.guard import outbound_guard_active
from daemon.server.keys import EGRESS, HISTORY, LLM, REGISTRY, SPEECH, UPSTREAM


async def health(request: web.Request) -> web.Response:
    """Liveness and model state; answers at once, even while models load."""
    speech = request.app[SPEECH]
    models = {"speech": speech.status(), "llm": request.app[LLM].status()}
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "models": models,
            "device": speech.device,
            "outbound_guard": outbound_guard_active(),
            "egress": request.app[EGRESS],
            "history": request.app[HISTORY].status(),
            # Clinic mode: which engine kinds the practice's server answers, and how it is.
            "upstream": request.app[UPSTREAM].status(),
        }
    )


async def list_models(request: web.Request) -> web.Response:
    """Installed speech and LLM models, and the upstream's (clinic mode), in OpenAI's
    list shape."""
    installed = await asyncio.to_thread(request.app[REGISTRY].all)  # reads files
    data = [
        {
            "id": info.name,
            "object": "model",
            "created": 0,
            "owned_by": f"sottovoce-{info.source}",
            "kind": info.kind,
        }
        for info in sorted(installed, key=lambda i: (i.kind, i.name))
    ]
    data += await request.app[UPSTREAM].async_models()
    return web.json_response({"object": "list", "data": data})
