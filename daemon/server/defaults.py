"""GET/POST /v1/defaults: the models and preset used when a request names none.

The tray changes them through POST; daemon.defaults validates, saves and applies.
"""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from daemon.defaults import DefaultsChange
from daemon.errors import ConfigError
from daemon.server.errors import ApiError
from daemon.server.keys import DEFAULTS
from daemon.server.requests import read_model

log = logging.getLogger(__name__)


class DefaultsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speech_model: str | None = None
    llm_model: str | None = None
    rewrite_preset: str | None = None


async def get_defaults(request: web.Request) -> web.Response:
    """The defaults in force."""
    return web.json_response(request.app[DEFAULTS].current())


async def set_defaults(request: web.Request) -> web.Response:
    """Change any of the defaults; unknown names are refused and nothing changes."""
    body = await read_model(request, DefaultsUpdate)
    try:
        current = await request.app[DEFAULTS].async_change(DefaultsChange(**body.model_dump()))
    except ConfigError as error:
        log.warning("defaults not changed: %s", error)
        raise ApiError(
            409,
            "the config file could not be updated (see the daemon log); nothing changed",
            code="config_not_saved",
        ) from None
    return web.json_response(current)
