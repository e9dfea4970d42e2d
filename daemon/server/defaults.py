"""GET/POST /v1/defaults: the models and preset used when a request names none.

The tray changes them while the daemon runs; the config file keeps the values
the daemon starts with.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from daemon.server.errors import ApiError
from daemon.server.keys import LLM, REGISTRY, REWRITE, SPEECH
from daemon.server.requests import read_model


class DefaultsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speech_model: str | None = None
    llm_model: str | None = None
    rewrite_preset: str | None = None


def _current(app: web.Application) -> dict[str, str]:
    return {
        "speech_model": app[SPEECH].default,
        "llm_model": app[LLM].default,
        "rewrite_preset": app[REWRITE].default_preset,
    }


async def get_defaults(request: web.Request) -> web.Response:
    """The defaults in force."""
    return web.json_response(_current(request.app))


async def set_defaults(request: web.Request) -> web.Response:
    """Change any of the defaults; unknown names are refused and nothing changes."""
    body = await read_model(request, DefaultsUpdate)
    app = request.app
    registry = app[REGISTRY]
    if body.speech_model is not None and body.speech_model not in registry.names("speech"):
        raise ApiError(
            404, f"speech model {body.speech_model!r} is not installed", param="speech_model"
        )
    if body.llm_model is not None and body.llm_model not in registry.names("llm"):
        raise ApiError(
            404, f"language model {body.llm_model!r} is not installed", param="llm_model"
        )
    if body.rewrite_preset is not None and body.rewrite_preset not in app[REWRITE].presets:
        raise ApiError(404, f"no preset named {body.rewrite_preset!r}", param="rewrite_preset")
    for pool, name in ((app[SPEECH], body.speech_model), (app[LLM], body.llm_model)):
        if name is not None and name != pool.default:
            previous, pool.default = pool.default, name
            # Free the old default's memory now (a no-op while a request holds it).
            await pool.holder(previous).async_unload()
    if body.rewrite_preset is not None:
        app[REWRITE].default_preset = body.rewrite_preset
    return web.json_response(_current(app))
