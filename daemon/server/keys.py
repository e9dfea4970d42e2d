"""Typed keys for what the application shares between handlers."""

from __future__ import annotations

from aiohttp import web

from daemon.config import Settings
from daemon.defaults import DefaultsService
from daemon.history.service import History
from daemon.llm.service import LLMService
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.rewrite.service import RewriteService
from daemon.server.connections import ConnectionGuard
from daemon.speech.service import SpeechService
from daemon.transcription import TranscriptionService
from daemon.upstream.service import Upstream

SETTINGS = web.AppKey("settings", Settings)
PATHS = web.AppKey("paths", Paths)
TOKEN = web.AppKey("token", str)
REGISTRY = web.AppKey("registry", ModelRegistry)
SPEECH = web.AppKey("speech", SpeechService)
LLM = web.AppKey("llm", LLMService)
REWRITE = web.AppKey("rewrite", RewriteService)
HISTORY = web.AppKey("history", History)
EGRESS = web.AppKey("egress", dict)  # how egress is prevented (daemon.sandbox.status)
GUARD = web.AppKey("connection_guard", ConnectionGuard)  # which connections showed the token
TRANSCRIPTION = web.AppKey("transcription", TranscriptionService)
DEFAULTS = web.AppKey("defaults", DefaultsService)
UPSTREAM = web.AppKey("upstream", Upstream)  # clinic mode: the practice's server, if any
