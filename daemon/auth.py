"""The API bearer token: created at first start in a file only the user can read."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from daemon.errors import ConfigError

TOKEN_BYTES = 32


def load_or_create_token(path: Path) -> str:
    """Return the token, creating it (mode 0600) on first use."""
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = ""
    if token:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return token
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = "sv-" + secrets.token_urlsafe(TOKEN_BYTES)
    # O_EXCL and an explicit mode: the token is never readable by others,
    # not even between creation and a later chmod.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return load_or_create_token(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


def read_token(path: Path) -> str:
    """Return the existing token or explain how to create one."""
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = ""
    if not token:
        raise ConfigError("no API token yet: start the daemon once with `sottovoce serve`")
    return token


def token_matches(expected: str, presented: str) -> bool:
    """Constant-time comparison of the presented token with the real one."""
    # surrogateescape: aiohttp decodes odd header bytes that way; they must not raise here.
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogateescape"), presented.encode("utf-8", "surrogateescape")
    )
