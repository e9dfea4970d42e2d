"""Clinic mode at start: the API key read, the server's name resolved once and the
guard's door opened to exactly those addresses, the client built."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from daemon.errors import ConfigError
from daemon.guard import OutboundConnectionBlocked, open_door
from daemon.upstream.audit import Recorder
from daemon.upstream.client import UpstreamClient
from daemon.upstream.settings import UpstreamEngineSettings

log = logging.getLogger(__name__)

KEYRING_USER = "upstream"


def api_key(settings: UpstreamEngineSettings) -> str | None:
    """The API key from its file (mode 0600) or the OS keyring; None when none is set."""
    if settings.api_key_file:
        path = Path(settings.api_key_file)
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(
                f"upstream API key file {path}: cannot be read ({error.strerror})"
            ) from None
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"upstream API key file {path} is readable by others: chmod 600 it")
        if not text:
            raise ConfigError(f"upstream API key file {path} is empty")
        return text
    if settings.api_key_keyring:
        import keyring

        secret = keyring.get_password(settings.api_key_keyring, KEYRING_USER)
        if not secret:
            raise ConfigError(
                f"no upstream API key in the OS keyring under service "
                f"{settings.api_key_keyring!r}, user {KEYRING_USER!r} (store it with "
                f"`keyring set {settings.api_key_keyring} {KEYRING_USER}`)"
            )
        return secret
    return None


def connect_upstream(
    engine: str, settings: UpstreamEngineSettings, record: Recorder
) -> UpstreamClient:
    """Resolve the server's name once and open the guard's door to it (blocking)."""
    key = api_key(settings)
    try:
        addresses = open_door(settings.host, settings.port)
    except (OSError, OutboundConnectionBlocked) as error:
        raise ConfigError(
            f"upstream.{engine}.url: the name {settings.host!r} cannot be resolved "
            f"({getattr(error, 'strerror', None) or type(error).__name__}); check the URL "
            "or the practice's DNS"
        ) from None
    log.warning(
        "clinic mode: %s requests go to %s:%d (pin %s)",
        engine,
        settings.host,
        settings.port,
        settings.pin or "none, loopback",
    )
    return UpstreamClient(engine, settings, addresses, key, record)
