"""History: switched on, encrypted at rest, and kept only as long as configured."""

from __future__ import annotations

import os
from typing import Any

from daemon.doctor.check import Check, failed, info, passed, warn
from daemon.doctor.context import Context

#: The first 16 bytes of every plain SQLite file; SQLCipher encrypts them away.
SQLITE_HEADER = b"SQLite format 3\x00"
RESTART_FIX = "restart the daemon so that it reads the config again"


def history_state(ctx: Context) -> Check:
    """History is on or off as configured, and the running daemon could open it."""
    enabled = ctx.settings.history.enabled
    daemon: Any = (ctx.daemon.health or {}).get("history")
    state = daemon.get("state") if isinstance(daemon, dict) else None
    if state == "error":
        return failed(
            "history",
            f"the daemon cannot open the history: {daemon.get('error', 'unknown error')}",
            "follow the fix in the message, then restart the daemon",
        )
    if not enabled:
        if state == "open":
            return warn("history", "off in the config, but the running daemon records", RESTART_FIX)
        return info("history", "off (history.enabled = false): nothing is recorded")
    if state == "off":
        return warn("history", "on in the config, but the running daemon has it off", RESTART_FIX)
    if state == "degraded":
        return failed(
            "history",
            f"new entries are not being stored: {daemon.get('error', 'unknown error')}",
            "free disk space in the data folder; the daemon stores entries again by itself",
        )
    if state == "open":
        return passed("history", "on: the daemon records dictations and rewrites")
    return passed("history", "on: dictations and rewrites are recorded once the daemon runs")


def history_encryption(ctx: Context) -> Check:
    """The database file on disk is SQLCipher, not plain SQLite, and private to its owner."""
    path = ctx.paths.history_db
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        return info("history_encryption", f"no history database yet ({path})")
    except OSError as error:
        return failed(
            "history_encryption",
            f"{path} cannot be read ({error.strerror})",
            f"give the user who runs Sottovoce access to {path}",
        )
    if header == SQLITE_HEADER:
        return failed(
            "history_encryption",
            f"{path} is a plain, unencrypted SQLite file: anyone with the file can read it",
            f"move {path} out of the data folder (and delete it once you kept what you "
            "need); the daemon then creates an encrypted one",
        )
    if len(header) < len(SQLITE_HEADER):
        return info("history_encryption", f"{path} is empty")
    if os.name == "posix" and mode & 0o077:
        return warn(
            "history_encryption",
            f"encrypted (SQLCipher), but other users can read {path} (mode {mode:o})",
            f"chmod 600 {path}",
        )
    return passed("history_encryption", f"encrypted (SQLCipher): {path}")


def retention(ctx: Context) -> Check:
    """Old entries are deleted after the configured number of days."""
    history = ctx.settings.history
    if not history.enabled:
        return info("retention", "history is off: nothing is kept")
    audio = "; audio is stored too (history.store_audio)" if history.store_audio else ""
    if history.retention_days == 0:
        return warn(
            "retention",
            f"history is kept forever (history.retention_days = 0){audio}",
            "set history.retention_days to the days you need (default 30)",
        )
    days = history.retention_days
    return passed("retention", f"entries are deleted after {days} day{'s' * (days != 1)}{audio}")
