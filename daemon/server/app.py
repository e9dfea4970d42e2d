"""Build the aiohttp application: routes, middlewares, and resource lifetimes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from daemon.config import Settings
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.server import audio, info
from daemon.server.keys import PATHS, REGISTRY, SETTINGS, SPEECH, TOKEN
from daemon.server.security import MIDDLEWARES
from daemon.speech.service import SpeechService

log = logging.getLogger(__name__)


async def _speech_ctx(app: web.Application) -> AsyncIterator[None]:
    service = SpeechService(app[SETTINGS].speech, app[REGISTRY])
    app[SPEECH] = service
    preload: asyncio.Task[None] | None = None
    if app[SETTINGS].speech.load_at_start:
        # In the background: /v1/health must answer while the model loads.
        preload = asyncio.create_task(_preload(service))
    yield
    if preload is not None and not preload.done():
        preload.cancel()
    service.unload_all()


async def _preload(service: SpeechService) -> None:
    try:
        await service.async_preload()
    except Exception as error:
        log.error("the default speech model could not be loaded: %s", error)


def make_app(settings: Settings, paths: Paths, token: str) -> web.Application:
    """The application with every route and resource; nothing starts until it runs."""
    app = web.Application(
        middlewares=MIDDLEWARES,
        client_max_size=settings.server.max_upload_bytes,
    )
    app[SETTINGS] = settings
    app[PATHS] = paths
    app[TOKEN] = token
    app[REGISTRY] = ModelRegistry(paths)
    app.cleanup_ctx.append(_speech_ctx)
    app.router.add_get("/v1/health", info.health)
    app.router.add_get("/v1/models", info.list_models)
    app.router.add_post("/v1/audio/transcriptions", audio.transcriptions)
    return app
