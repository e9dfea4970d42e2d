"""The key comes from the secret store, a 0600 file or a passphrase; never a new one
for an existing database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from keyring.backends import fail

from daemon.errors import HistoryError
from daemon.history import HistoryKey, HistoryStore, load_key
from daemon.history.keys import KEYRING_ENTRY, KEYRING_SERVICE
from tests.history.helpers import MemorySecretStore, note

ENV = "TEST_HISTORY_PASSPHRASE"


class BrokenSecretStore(MemorySecretStore):
    """A secret store whose service is down (e.g. no D-Bus session)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("no session bus")


class ForgetfulSecretStore(MemorySecretStore):
    """A secret store that accepts a secret and keeps nothing."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "history.key"


def _load(source: str, key_file: Path, db_exists: bool, **kwargs: object) -> HistoryKey:
    return load_key(source, key_file, ENV, db_exists, **kwargs)  # type: ignore[arg-type]


def test_file_source_creates_a_private_256_bit_key_once(key_file: Path) -> None:
    created = _load("file", key_file, db_exists=False)
    assert isinstance(created.secret, bytes)
    assert len(created.secret) == 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text() == created.secret.hex() + "\n"
    assert os.listdir(key_file.parent) == ["history.key"]
    assert _load("file", key_file, db_exists=True).secret == created.secret


def test_file_source_without_a_file_for_an_existing_database_creates_nothing(
    key_file: Path,
) -> None:
    with pytest.raises(HistoryError, match=r"key was not found in the key file.*\(fix: "):
        _load("file", key_file, db_exists=True)
    assert not key_file.exists()


def test_key_file_that_cannot_be_written_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("a file where the folder should be")
    with pytest.raises(HistoryError, match=r"cannot be created .*\(fix: "):
        _load("file", tmp_path / "config" / "history.key", db_exists=False)


def test_key_file_readable_by_others_is_refused(key_file: Path) -> None:
    _load("file", key_file, db_exists=False)
    key_file.chmod(0o644)
    with pytest.raises(HistoryError, match=r"fix: chmod 600 history\.key"):
        _load("file", key_file, db_exists=True)


def test_damaged_key_file_is_reported_and_never_replaced(key_file: Path) -> None:
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not hex\n")
    key_file.chmod(0o600)
    with pytest.raises(HistoryError, match=r"damaged.*fix: restore the key file"):
        _load("file", key_file, db_exists=False)
    assert key_file.read_text() == "not hex\n"


def test_env_source_uses_the_passphrase(key_file: Path) -> None:
    key = _load("env", key_file, db_exists=False, environ={ENV: "correct horse battery"})
    assert key.secret == "correct horse battery"
    assert not key_file.exists()


def test_env_source_without_the_variable_names_it(key_file: Path) -> None:
    with pytest.raises(HistoryError, match=f"{ENV} is not set.*fix: set {ENV}"):
        _load("env", key_file, db_exists=True, environ={})


def test_short_passphrase_is_refused_for_a_new_database_only(key_file: Path) -> None:
    with pytest.raises(HistoryError, match="too short"):
        _load("env", key_file, db_exists=False, environ={ENV: "short"})
    assert _load("env", key_file, db_exists=True, environ={ENV: "short"}).secret == "short"


def test_wrong_passphrase_error_names_the_variable(db_path: Path, key_file: Path) -> None:
    right = _load("env", key_file, db_exists=False, environ={ENV: "the right passphrase"})
    HistoryStore.open(db_path, right).close()
    wrong = _load("env", key_file, db_exists=True, environ={ENV: "a wrong passphrase"})
    with pytest.raises(HistoryError, match=f"cannot be opened with this key.*fix: set {ENV}"):
        HistoryStore.open(db_path, wrong)


def test_keyring_source_creates_the_key_in_the_secret_store_once(
    key_file: Path, secret_store: MemorySecretStore
) -> None:
    created = _load("keyring", key_file, db_exists=False, secret_store=secret_store)
    assert isinstance(created.secret, bytes)
    assert secret_store.secrets == {(KEYRING_SERVICE, KEYRING_ENTRY): created.secret.hex()}
    again = _load("keyring", key_file, db_exists=True, secret_store=secret_store)
    assert again.secret == created.secret
    assert not key_file.exists()


def test_keyring_source_for_an_existing_database_never_creates_a_key(
    key_file: Path, secret_store: MemorySecretStore
) -> None:
    with pytest.raises(HistoryError, match=r"not found in the OS secret store.*\(fix: "):
        _load("keyring", key_file, db_exists=True, secret_store=secret_store)
    assert secret_store.secrets == {}


def test_keyring_source_without_a_secret_store_says_how_to_fall_back(key_file: Path) -> None:
    with pytest.raises(HistoryError, match=r'no OS secret store.*key_source = "file"'):
        _load("keyring", key_file, db_exists=False, secret_store=fail.Keyring())  # type: ignore[no-untyped-call]


def test_auto_without_a_secret_store_uses_the_key_file(key_file: Path) -> None:
    created = _load("auto", key_file, db_exists=False, secret_store=fail.Keyring())  # type: ignore[no-untyped-call]
    assert key_file.read_text().strip() == created.secret.hex()  # type: ignore[union-attr]


def test_auto_prefers_the_secret_store(key_file: Path, secret_store: MemorySecretStore) -> None:
    created = _load("auto", key_file, db_exists=False, secret_store=secret_store)
    assert secret_store.secrets[(KEYRING_SERVICE, KEYRING_ENTRY)] == created.secret.hex()  # type: ignore[union-attr]
    assert not key_file.exists()


def test_auto_finds_an_existing_key_file_when_the_store_holds_none(
    key_file: Path, secret_store: MemorySecretStore
) -> None:
    in_file = _load("file", key_file, db_exists=False)
    found = _load("auto", key_file, db_exists=True, secret_store=secret_store)
    assert found.secret == in_file.secret
    assert secret_store.secrets == {}


def test_auto_with_a_broken_store_falls_back_to_a_new_key_file(key_file: Path) -> None:
    created = _load("auto", key_file, db_exists=False, secret_store=BrokenSecretStore())
    assert key_file.read_text().strip() == created.secret.hex()  # type: ignore[union-attr]


def test_auto_with_a_broken_store_and_an_existing_database_explains(key_file: Path) -> None:
    with pytest.raises(HistoryError, match=r"secret store cannot be read.*\(fix: "):
        _load("auto", key_file, db_exists=True, secret_store=BrokenSecretStore())
    assert not key_file.exists()


def test_auto_with_a_store_that_drops_secrets_uses_the_key_file(key_file: Path) -> None:
    created = _load("auto", key_file, db_exists=False, secret_store=ForgetfulSecretStore())
    assert key_file.read_text().strip() == created.secret.hex()  # type: ignore[union-attr]


def test_secret_store_key_opens_the_database_it_created(
    db_path: Path, key_file: Path, secret_store: MemorySecretStore
) -> None:
    with HistoryStore.open(db_path, _load("auto", key_file, False, secret_store=secret_store)) as s:
        entry_id = s.add(note("kept"))
    with HistoryStore.open(db_path, _load("auto", key_file, True, secret_store=secret_store)) as s:
        assert s.get(entry_id, client="test") is not None


def test_key_never_appears_in_its_repr() -> None:
    raw = os.urandom(32)
    assert raw.hex() not in repr(HistoryKey.from_bytes(raw))
    assert "sesame" not in repr(HistoryKey.from_passphrase("open sesame"))
