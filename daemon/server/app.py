"""Build the aiohttp application: routes, middlewares, and resource lifetimes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from daemon.config import Settings
from daemon.defaults import DefaultsService
from daemon.engines.pool import ModelPool
from daemon.errors import ConfigError, HistoryError
from daemon.history.service import History, open_store
from daemon.identity import IDENTITY_PATH
from daemon.llm.service import LLMService
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.rewrite.service import RewriteService
from daemon.sandbox.loaders import decoder_loader, llm_loader, memory_limit_mb, speech_loader
from daemon.sandbox.status import egress_report
from daemon.server import audio, chat, defaults, dictation, history, identity, info, rewrite
from daemon.server.connections import ConnectionGuard
from daemon.server.keys import (
    DEFAULTS,
    EGRESS,
    GUARD,
    HISTORY,
    LLM,
    PATHS,
    REGISTRY,
    REWRITE,
    SETTINGS,
    SPEECH,
    TOKEN,
    TRANSCRIPTION,
    UPSTREAM,
)
from daemon.server.security import MIDDLEWARES, add_cors_headers
from daemon.speech.service import SpeechService
from daemon.transcription import TranscriptionService
from daemon.upstream.service import async_open

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def _running(pool: ModelPool[Any], load_at_start: bool) -> AsyncIterator[None]:
    preload: asyncio.Task[None] | None = None
    if load_at_start:
        # In the background: /v1/health must answer while the model loads.
        preload = asyncio.create_task(_preload(pool))
    try:
        yield
    finally:
        if preload is not None and not preload.done():
            preload.cancel()
        await pool.async_unload_all()


async def _preload(pool: ModelPool[Any]) -> None:
    try:
        await pool.async_preload()
    except Exception as error:
        log.error("the default %s model could not be loaded: %s", pool.kind, error)


async def _sandbox_ctx(app: web.Application) -> AsyncIterator[None]:
    limit = memory_limit_mb(app[SETTINGS].sandbox.memory_limit_mb)
    app[EGRESS] = await asyncio.to_thread(egress_report, limit)
    log.info("engine egress protection: %s", app[EGRESS]["protection"])
    if app[EGRESS]["reason"]:
        log.warning("engine sandbox weaker than it could be: %s", app[EGRESS]["reason"])
    yield


async def _registry_ctx(app: web.Application) -> AsyncIterator[None]:
    # A broken models.toml stops the start with its fix, instead of failing every request.
    await asyncio.to_thread(app[REGISTRY].all)
    yield


async def _speech_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    load = speech_loader(settings)
    remote, default = app[UPSTREAM].speech_routes(
        settings.speech.model, app[REGISTRY], load, decoder_loader(settings)
    )
    speech = SpeechService(settings.speech, app[REGISTRY], load, remote, default)
    app[SPEECH] = speech
    app[TRANSCRIPTION] = TranscriptionService(app[SETTINGS], speech, app[HISTORY])
    prepare = asyncio.create_task(app[TRANSCRIPTION].async_prepare())  # the drug lexicon
    async with _running(speech, app[SETTINGS].speech.load_at_start):
        yield
    await prepare


async def _upstream_ctx(app: web.Application) -> AsyncIterator[None]:
    # Before the engines: clinic mode decides which engine answers.
    app[UPSTREAM] = await async_open(app[SETTINGS].upstream, app[HISTORY])
    yield


async def _llm_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    load = llm_loader(settings)
    remote, default = app[UPSTREAM].llm_routes(settings.llm.model, app[REGISTRY], load)
    llm = LLMService(settings.llm, app[REGISTRY], load, remote, default)
    app[LLM] = llm
    rewrites = RewriteService(app[SETTINGS].rewrite, llm)
    if rewrites.default_preset not in rewrites.presets:
        raise ConfigError(f"rewrite.default_preset: no preset named {rewrites.default_preset!r}")
    app[REWRITE] = rewrites
    speech: SpeechService = app[SPEECH]
    app[DEFAULTS] = DefaultsService(app[PATHS].config_file, speech, llm, rewrites)
    async with _running(llm, app[SETTINGS].llm.load_at_start):
        yield


async def _history_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS].history
    if not settings.enabled:
        app[HISTORY] = History(settings, None)
        yield
        return
    try:
        store = await asyncio.to_thread(open_store, settings, app[PATHS])
    except HistoryError as error:
        # Dictation keeps working; the history reports what to fix.
        log.error("history unavailable: %s", error)
        app[HISTORY] = History(settings, None, str(error))
        yield
        return
    app[HISTORY] = History(settings, store)
    purge = asyncio.create_task(app[HISTORY].async_purge_forever())
    try:
        yield
    finally:
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        await asyncio.to_thread(store.close)


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
    app[GUARD] = ConnectionGuard(settings.server.max_connections)
    app.on_response_prepare.append(add_cors_headers)
    app.cleanup_ctx.append(_registry_ctx)
    app.cleanup_ctx.append(_sandbox_ctx)
    app.cleanup_ctx.append(_history_ctx)
    app.cleanup_ctx.append(_upstream_ctx)
    app.cleanup_ctx.append(_speech_ctx)
    app.cleanup_ctx.append(_llm_ctx)
    app.router.add_get("/v1/health", info.health)
    app.router.add_get(IDENTITY_PATH, identity.identity)
    app.router.add_get("/v1/models", info.list_models)
    app.router.add_post("/v1/audio/transcriptions", audio.transcriptions)
    app.router.add_post("/v1/chat/completions", chat.chat_completions)
    app.router.add_post("/v1/rewrite", rewrite.rewrite)
    app.router.add_get("/v1/rewrite/presets", rewrite.presets)
    app.router.add_get("/v1/dictation", dictation.dictation)
    app.router.add_get("/v1/defaults", defaults.get_defaults)
    app.router.add_post("/v1/defaults", defaults.set_defaults)
    app.router.add_get("/v1/history", history.list_history)
    app.router.add_delete("/v1/history", history.delete_all)
    app.router.add_get("/v1/history/{entry_id}", history.get_entry)
    app.router.add_delete("/v1/history/{entry_id}", history.delete_entry)
    return app
