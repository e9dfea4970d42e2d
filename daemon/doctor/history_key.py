"""Where the history key lives, found without creating one (unlike `load_key`)."""

from __future__ import annotations

import os
from pathlib import Path

import keyring

from daemon.doctor.check import Check, failed, info, passed, warn
from daemon.doctor.context import Context
from daemon.history.keys import (
    KEY_BYTES,
    KEYRING_ENTRY,
    KEYRING_SERVICE,
    MIN_PASSPHRASE_CHARS,
    SecretStore,
    is_real_secret_store,
)

NAME = "history_key"
#: A key file sits in the same home folder as the database: say honestly what that is worth.
KEY_FILE_PROTECTS = (
    "other users, and anyone holding only a copy of history.db, cannot read the history; "
    "anyone who can read your files (a program running as you, a backup or a stolen disk "
    "holding the home folder) can, unless the disk is encrypted or the key is kept in the "
    'OS secret store (history.key_source = "keyring") or a passphrase ("env")'
)
OTHER_SOURCE_FIX = 'or set history.key_source = "file" or "env"'


def history_key(ctx: Context, secret_store: SecretStore | None = None) -> Check:
    """The key source in use, and that the key there is present and private."""
    history = ctx.settings.history
    if not history.enabled:
        return info(NAME, "history is off: no key is used")
    db_exists = ctx.paths.history_db.exists()
    source = history.key_source
    if source == "env":
        return _env_key(ctx, history.passphrase_env, db_exists)
    if source == "file":
        key_file = _file_key(ctx.paths.key_file)
        if key_file is not None:
            return key_file
        if db_exists:
            return _missing(f"in the key file {ctx.paths.key_file}")
        return info(NAME, f"no key yet: the key file {ctx.paths.key_file} is created at first use")
    store = secret_store if secret_store is not None else keyring.get_keyring()
    found = _keyring_key(store)
    if source == "keyring":
        return found or _no_keyring_key(store, db_exists)
    # auto, as `load_key`: the OS secret store first, else the key file.
    if found is not None and found.status != "fail":
        return found
    file_key = _file_key(ctx.paths.key_file)
    if file_key is not None:
        return file_key
    if found is not None:
        return found
    if db_exists:
        return _missing(f"in the OS secret store or in the key file {ctx.paths.key_file}")
    where = (
        "in the OS secret store"
        if is_real_secret_store(store)
        else f"in the key file {ctx.paths.key_file} (no OS secret store is available)"
    )
    return info(NAME, f"no key yet: one is created at first use {where}")


def _keyring_key(store: SecretStore) -> Check | None:
    if not is_real_secret_store(store):
        return None
    try:
        stored = store.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
    except Exception as error:  # keyring backends raise their own error types
        return failed(
            NAME,
            f"the OS secret store cannot be read ({type(error).__name__})",
            f"unlock it, {OTHER_SOURCE_FIX}",
        )
    if stored is None:
        return None
    backend = type(store).__module__.removeprefix("keyring.backends.")
    if not _is_key_hex(stored):
        return failed(
            NAME,
            f"the key in the OS secret store ({backend}) is damaged",
            f'restore the key (service "{KEYRING_SERVICE}", entry "{KEYRING_ENTRY}")',
        )
    return passed(NAME, f"in the OS secret store ({backend})")


def _no_keyring_key(store: SecretStore, db_exists: bool) -> Check:
    if not is_real_secret_store(store):
        return failed(
            NAME,
            'history.key_source is "keyring" but no OS secret store is available',
            f"install or unlock one, {OTHER_SOURCE_FIX}",
        )
    if db_exists:
        return _missing("in the OS secret store")
    return info(NAME, "no key yet: one is created at first use in the OS secret store")


def _file_key(path: Path) -> Check | None:
    try:
        status = path.stat()
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return failed(NAME, f"the key file {path} cannot be read", f"restore {path}")
    mode = status.st_mode & 0o777
    if os.name == "posix":
        if mode & 0o077:
            return failed(
                NAME,
                f"the key file {path} can be read by other users (mode {mode:o})",
                f"chmod 600 {path}",
            )
        if status.st_uid != os.getuid():
            return failed(
                NAME,
                f"the key file {path} belongs to another user",
                "chown it to the user who runs Sottovoce",
            )
    if not _is_key_hex(text):
        return failed(NAME, f"the key file {path} is damaged", f"restore {path} from a backup")
    return passed(NAME, f"in the key file {path}, mode {mode:o}: {KEY_FILE_PROTECTS}")


def _env_key(ctx: Context, variable: str, db_exists: bool) -> Check:
    passphrase = ctx.environ.get(variable, "")
    if not passphrase:
        daemon = (ctx.daemon.health or {}).get("history")
        if isinstance(daemon, dict) and daemon.get("state") == "open":
            # The daemon may run with another environment (autostart, a service).
            return passed(NAME, f"a passphrase in {variable}: the running daemon has it")
        return failed(
            NAME,
            f'history.key_source is "env" but {variable} is not set',
            f"set {variable} to the history passphrase in the daemon's environment",
        )
    if not db_exists and len(passphrase) < MIN_PASSPHRASE_CHARS:
        return warn(
            NAME,
            f"the passphrase in {variable} is too short for a new database",
            f"use at least {MIN_PASSPHRASE_CHARS} characters; longer is better",
        )
    return passed(NAME, f"a passphrase in the environment variable {variable}")


def _is_key_hex(text: str) -> bool:
    try:
        return len(bytes.fromhex(text.strip())) == KEY_BYTES
    except ValueError:
        return False


def _missing(where: str) -> Check:
    return failed(
        NAME,
        f"the history database exists but its key is not found {where}",
        "restore the key, or set history.key_source to where it is kept; to start an empty "
        "history, move history.db out of the data folder",
    )
