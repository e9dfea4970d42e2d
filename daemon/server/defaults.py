"""GET/POST /v1/defaults: the models and preset used when a request names none.

The tray changes them through POST; a change is saved in config.toml first (its
comments kept), so that it outlasts a restart, then applied to the running daemon.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from daemon.config import save_values
from daemon.errors import ConfigError
from daemon.server.errors import ApiError
from daemon.server.keys import CONFIG_LOCK, LLM, PATHS, REGISTRY, REWRITE, SPEECH
from daemon.server.requests import read_model

log = logging.getLogger(__name__)


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
    installed = await asyncio.to_thread(app[REGISTRY].all)  # reads files
    speech = {info.name for info in installed if info.kind == "speech"}
    llms = {info.name for info in installed if info.kind == "llm"}
    if body.speech_model is not None and body.speech_model not in speech:
        raise ApiError(
            404, f"speech model {body.speech_model!r} is not installed", param="speech_model"
        )
    if body.llm_model is not None and body.llm_model not in llms:
        raise ApiError(
            404, f"language model {body.llm_model!r} is not installed", param="llm_model"
        )
    if body.rewrite_preset is not None and body.rewrite_preset not in app[REWRITE].presets:
        raise ApiError(404, f"no preset named {body.rewrite_preset!r}", param="rewrite_preset")
    await _save(app, body)
    for pool, name in ((app[SPEECH], body.speech_model), (app[LLM], body.llm_model)):
        if name is not None and name != pool.default:
            previous, pool.default = pool.default, name
            # Free the old default's memory now (a no-op while a request holds it).
            await pool.holder(previous).async_unload()
    if body.rewrite_preset is not None:
        app[REWRITE].default_preset = body.rewrite_preset
    return web.json_response(_current(app))


async def _save(app: web.Application, body: DefaultsUpdate) -> None:
    """Write the changed values into config.toml; ApiError 409 (nothing changed) when it fails."""
    changes: dict[str, dict[str, str]] = {}
    for section, key, value in (
        ("speech", "model", body.speech_model),
        ("llm", "model", body.llm_model),
        ("rewrite", "default_preset", body.rewrite_preset),
    ):
        if value is not None:
            changes.setdefault(section, {})[key] = value
    if not changes:
        return
    async with app[CONFIG_LOCK]:
        try:
            await asyncio.to_thread(save_values, app[PATHS].config_file, changes)
        except ConfigError as error:
            log.warning("defaults not changed: %s", error)
            raise ApiError(
                409,
                "the config file could not be updated (see the daemon log); nothing changed",
                code="config_not_saved",
            ) from None
