"""The history database key: the OS secret store, a 0600 key file, or a passphrase.

A new random 256-bit key is created only when no database exists yet; when one
exists and its key cannot be found, the caller gets an error naming the fix and
nothing is created, so an existing history can never be orphaned by a new key.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import keyring

from daemon.errors import HistoryError

log = logging.getLogger(__name__)

KeySource = Literal["auto", "keyring", "file", "env"]

KEYRING_SERVICE = "sottovoce"
KEYRING_ENTRY = "history-key"
KEY_BYTES = 32
#: Only checked when a new database is created with it; an old one opens with any.
MIN_PASSPHRASE_CHARS = 8
_START_EMPTY = "to start an empty history instead, move history.db out of the data folder"


class SecretStore(Protocol):
    """The part of a `keyring` backend this module uses."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...


@dataclass(frozen=True)
class HistoryKey:
    """What unlocks the database: 32 raw bytes or a passphrase, and where it came from."""

    secret: bytes | str = field(repr=False)
    #: Where the key came from, in words ("the OS secret store").
    origin: str = "the given key"
    #: What the user can do when this key does not open the database.
    fix: str = "use the key the history database was created with"

    @classmethod
    def from_bytes(cls, raw: bytes, origin: str = "the given key") -> HistoryKey:
        """A raw 256-bit key (used by SQLCipher as is, without key derivation)."""
        if len(raw) != KEY_BYTES:
            raise ValueError(f"a history key has {KEY_BYTES} bytes")
        return cls(raw, origin)

    @classmethod
    def from_passphrase(cls, passphrase: str, origin: str = "the given passphrase") -> HistoryKey:
        """A passphrase; SQLCipher derives the key with PBKDF2 and the database's own salt."""
        if not passphrase or "\x00" in passphrase:
            raise ValueError("a history passphrase is non-empty text without NUL characters")
        return cls(passphrase, origin)

    def pragma_value(self) -> str:
        """The SQL literal for `PRAGMA key = ...`."""
        if isinstance(self.secret, bytes):
            return f"\"x'{self.secret.hex()}'\""
        return "'" + self.secret.replace("'", "''") + "'"


def load_key(
    source: KeySource,
    key_file: Path,
    passphrase_env: str,
    db_exists: bool,
    *,
    secret_store: SecretStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> HistoryKey:
    """Find the history key, creating one only when no database exists yet.

    auto: the OS secret store if it holds the key, else the key file if it exists,
    else a new key in the secret store when a real one is available, else in the
    key file. `secret_store` defaults to `keyring.get_keyring()`.
    """
    if source == "env":
        return _from_env(passphrase_env, db_exists, os.environ if environ is None else environ)
    if source == "file":
        return _from_file(key_file, db_exists)
    store = secret_store if secret_store is not None else _default_secret_store()
    if source == "keyring":
        if not is_real_secret_store(store):
            raise HistoryError(
                'history.key_source is "keyring" but no OS secret store is available '
                '(fix: install or unlock one, or set history.key_source = "file" or "env")'
            )
        key = _read_keyring(store)
        if key is not None:
            return key
        if db_exists:
            raise HistoryError(_missing_message("in the OS secret store"))
        return _create_in_keyring(store)
    return _auto(store, key_file, db_exists)


def _auto(store: SecretStore, key_file: Path, db_exists: bool) -> HistoryKey:
    usable = is_real_secret_store(store)
    where = f"in the key file {key_file.name} (no OS secret store is available)"
    if usable:
        where = f"in the OS secret store or in the key file {key_file.name}"
        try:
            key = _read_keyring(store)
        except HistoryError as error:
            log.warning("falling back to the history key file: %s", error)
            usable = False
            where = f"in the key file {key_file.name}, and the OS secret store cannot be read"
        else:
            if key is not None:
                return key
    if key_file.exists():
        return _from_file(key_file, db_exists)
    if db_exists:
        raise HistoryError(_missing_message(where))
    if usable:
        try:
            return _create_in_keyring(store)
        except HistoryError as error:
            log.warning("falling back to the history key file: %s", error)
    return _from_file(key_file, db_exists=False)


def is_real_secret_store(store: object) -> bool:
    """True for an OS secret store; false for keyring's fail/null and plaintext backends."""
    try:
        # keyring ranks real stores (Secret Service, macOS, Windows, KWallet) at 1 or
        # more; its fail/null backends and keyrings.alt's plaintext files rank below 1.
        return float(getattr(store, "priority", 0)) >= 1
    except Exception:  # a backend's priority may raise when its service is missing
        return False


def _default_secret_store() -> SecretStore:
    store: SecretStore = keyring.get_keyring()
    return store


def _keyring_fix() -> str:
    return (
        f'restore the key this database was created with to the OS secret store (service "'
        f'{KEYRING_SERVICE}", entry "{KEYRING_ENTRY}"); {_START_EMPTY}'
    )


def _read_keyring(store: SecretStore) -> HistoryKey | None:
    try:
        stored = store.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
    except Exception as error:  # keyring backends raise their own error types
        raise HistoryError(
            f"the OS secret store cannot be read ({type(error).__name__}) "
            '(fix: unlock it, or set history.key_source = "file" or "env")'
        ) from None
    if stored is None:
        return None
    raw = _parse_hex(stored, "the key in the OS secret store is damaged", _keyring_fix())
    return HistoryKey(raw, "the key in the OS secret store", _keyring_fix())


def _create_in_keyring(store: SecretStore) -> HistoryKey:
    raw = secrets.token_bytes(KEY_BYTES)
    try:
        store.set_password(KEYRING_SERVICE, KEYRING_ENTRY, raw.hex())
        # Some backends accept a secret and silently drop it: read it back.
        stored = store.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
    except Exception as error:  # keyring backends raise their own error types
        raise HistoryError(
            f"a new history key cannot be saved in the OS secret store ({type(error).__name__}) "
            '(fix: unlock it, or set history.key_source = "file" or "env")'
        ) from None
    if stored != raw.hex():
        raise HistoryError(
            "the OS secret store did not keep the new history key "
            '(fix: set history.key_source = "file" or "env")'
        )
    log.info("created a new history key in the OS secret store")
    return HistoryKey(raw, "the key in the OS secret store", _keyring_fix())


def _file_fix(key_file: Path) -> str:
    return f"restore the key file {key_file.name} this database was created with; {_START_EMPTY}"


def _from_file(key_file: Path, db_exists: bool) -> HistoryKey:
    if not key_file.exists():
        if db_exists:
            raise HistoryError(_missing_message(f"in the key file {key_file.name}"))
        _create_key_file(key_file)
    fix = _file_fix(key_file)
    _check_private(key_file)
    try:
        text = key_file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not text"
        raise HistoryError(
            f"the history key file {key_file.name} cannot be read ({reason}) (fix: {fix})"
        ) from None
    raw = _parse_hex(text, f"the history key file {key_file.name} is damaged", fix)
    return HistoryKey(raw, f"the key file {key_file.name}", fix)


def _create_key_file(key_file: Path) -> None:
    try:
        created = _write_new_key_file(key_file)
    except OSError as error:
        raise HistoryError(
            f"a new history key file {key_file.name} cannot be created ({error.strerror}) "
            '(fix: make the config folder writable, or set history.key_source = "env")'
        ) from None
    if created:
        log.info("created a new history key file")


def _write_new_key_file(key_file: Path) -> bool:
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = key_file.with_name(f".{key_file.name}.{secrets.token_hex(4)}.new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # A hard link appears complete or not at all, and never replaces a key file
        # another process created meanwhile (unlike rename).
        os.link(temporary, key_file)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def _check_private(key_file: Path) -> None:
    if os.name != "posix":
        return
    status = key_file.stat()
    if status.st_mode & 0o077:
        raise HistoryError(
            f"the history key file {key_file.name} can be read by other users "
            f"(mode {status.st_mode & 0o777:o}) (fix: chmod 600 {key_file.name})"
        )
    if status.st_uid != os.getuid():
        raise HistoryError(
            f"the history key file {key_file.name} belongs to another user "
            f"(fix: chown it to the user who runs Sottovoce)"
        )


def _from_env(name: str, db_exists: bool, environ: Mapping[str, str]) -> HistoryKey:
    fix = f"set {name} to the passphrase this database was created with; {_START_EMPTY}"
    passphrase = environ.get(name, "")
    if not passphrase:
        raise HistoryError(
            f'history.key_source is "env" but the environment variable {name} is not set '
            f"(fix: set {name} to the history passphrase before starting Sottovoce, "
            "or choose another history.key_source)"
        )
    if not db_exists and len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise HistoryError(
            f"the history passphrase in {name} is too short for a new database "
            f"(fix: use at least {MIN_PASSPHRASE_CHARS} characters; longer is better)"
        )
    if "\x00" in passphrase:
        raise HistoryError(f"the history passphrase in {name} contains a NUL character")
    return HistoryKey(passphrase, f"the passphrase in {name}", fix)


def _parse_hex(text: str, problem: str, fix: str) -> bytes:
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise HistoryError(f"{problem}: expected {KEY_BYTES * 2} hex digits (fix: {fix})")
    return raw


def _missing_message(where: str) -> str:
    return (
        f"the history database exists but its key was not found {where}; "
        "a new key is never created for an existing database (fix: restore the key, "
        'or set history.key_source to where it is kept ("keyring", "file" or "env"); '
        f"{_START_EMPTY})"
    )
