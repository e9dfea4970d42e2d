"""Open the SQLCipher 4 file safely: never create over, never touch with a wrong key."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import sqlcipher3

from daemon.errors import HistoryError
from daemon.history.keys import HistoryKey

log = logging.getLogger(__name__)

CIPHER_MAJOR = "4."
BUSY_TIMEOUT_S = 10.0


def open_encrypted(path: Path, key: HistoryKey) -> Any:
    """A keyed, configured connection (WAL, secure delete, memory temp store, autocommit).

    Creates the file (mode 0600) only if none exists. SQLite recovers and checkpoints
    a WAL left by a crash as soon as a writable connection opens the file, before any
    key is checked; so the key is first checked on an immutable connection, which
    reads the main file and writes nothing: a wrong key leaves every file
    byte-identical.
    """
    _create_if_missing(path)
    _keyed_connection(path, key, "immutable=1").close()
    connection = _keyed_connection(path, key, "mode=rw")
    try:
        _configure(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _create_if_missing(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # An empty file is a new database to SQLite. Creating it here sets its mode
    # (SQLite gives the -wal and -shm files the same) and never replaces a file.
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as error:
        raise HistoryError(f"the history database cannot be created ({error.strerror})") from None


def _keyed_connection(path: Path, key: HistoryKey, parameters: str) -> Any:
    # Neither mode creates a file: only _create_if_missing does.
    uri = f"{path.absolute().as_uri()}?{parameters}"
    try:
        connection = sqlcipher3.connect(
            uri,
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_S,
        )
    except sqlcipher3.Error as error:
        raise failure("open", error) from None
    try:
        _check_cipher(connection)
        _unlock(connection, key)
    except BaseException:
        connection.close()
        raise
    return connection


def _check_cipher(connection: Any) -> None:
    # Without SQLCipher, `PRAGMA key` is silently ignored and the file would be plain.
    try:
        row = connection.execute("PRAGMA cipher_version").fetchone()
    except sqlcipher3.Error as error:
        raise failure("open", error) from None
    version = str(row[0]) if row else "no SQLCipher"
    if not version.startswith(CIPHER_MAJOR):
        raise HistoryError(
            f"the history needs SQLCipher 4, but the sqlcipher3 module reports {version} "
            "(fix: reinstall sqlcipher3)"
        )


def _unlock(connection: Any, key: HistoryKey) -> None:
    try:
        # SQLCipher writes its own error lines to stderr by default (e.g. "hmac check
        # failed" on a wrong key); errors reach the user through HistoryError instead.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = {key.pragma_value()}")
        # The first read checks the key against page 1's HMAC.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        raise HistoryError(
            f"the history database cannot be opened with this key: {key.origin} does not "
            f"unlock it, or the file is damaged; it was left untouched (fix: {key.fix})"
        ) from None


def _configure(connection: Any) -> None:
    try:
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        for pragma in (
            "secure_delete = ON",
            "temp_store = MEMORY",
            # FULL makes each commit durable on power loss too, not only on a crash.
            "synchronous = FULL",
            "foreign_keys = ON",
        ):
            connection.execute(f"PRAGMA {pragma}")
    except sqlcipher3.Error as error:
        raise failure("open", error) from None
    if str(mode).lower() != "wal":
        raise HistoryError(f"the history database cannot use WAL journaling (got {mode})")


def failure(operation: str, error: Exception) -> HistoryError:
    """A HistoryError safe to show for a failed SQLCipher call; the details go to the log."""
    # SQLite's messages name tables and columns, never bound values, so they are safe
    # to log; the user gets a shorter message.
    log.warning("history %s failed: %s: %s", operation, type(error).__name__, error)
    message = str(error).lower()
    if "locked" in message or "busy" in message:
        return HistoryError("the history database is busy (another process holds it); try again")
    if "full" in message:
        return HistoryError(f"the history {operation} failed: the disk is full")
    return HistoryError(f"the history {operation} failed ({type(error).__name__})")
