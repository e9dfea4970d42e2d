"""The history file is unreadable without its key, and no plaintext reaches disk or logs."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from daemon.errors import HistoryError
from daemon.history import HistoryKey, HistoryStore, NewEntry
from tests.history.helpers import file_hashes, note

#: Distinctive words: any of them in a file's bytes means plaintext leaked.
SECRET_WORDS = ("Quetzalcoatlus", "Xylographer", "Zanzibarine", "Hydroxyfrobnicate")
SECRET_INPUT = f"patient {SECRET_WORDS[0]} reports {SECRET_WORDS[1]} pain"
SECRET_OUTPUT = f"Patient {SECRET_WORDS[2]} takes {SECRET_WORDS[3]} 500 mg."


def _fill(store: HistoryStore, copies: int = 50) -> list[int]:
    return [
        store.add(
            note(
                SECRET_OUTPUT,
                SECRET_INPUT,
                source_app=f"{SECRET_WORDS[0]}-EHR",
                fidelity={"ok": False, "missing": [SECRET_WORDS[3]]},
            )
        )
        for _ in range(copies)
    ]


def _assert_no_plaintext(folder: Path) -> None:
    for item in folder.iterdir():
        content = item.read_bytes().lower()
        for word in SECRET_WORDS:
            assert word.lower().encode() not in content, f"{word} found in {item.name}"
            assert word.lower().encode("utf-16-le") not in content, f"{word} in {item.name}"


def test_database_wal_and_shm_hold_no_plaintext_while_open_and_after_close(
    store: HistoryStore, db_path: Path
) -> None:
    ids = _fill(store)
    store.delete(ids[0], client="test")
    _fill(store, copies=5)
    folder = db_path.parent
    assert {item.name for item in folder.iterdir()} == {
        "history.db",
        "history.db-wal",
        "history.db-shm",
    }
    assert (folder / "history.db-wal").stat().st_size > 0
    _assert_no_plaintext(folder)
    store.close()
    assert [item.name for item in folder.iterdir()] == ["history.db"]
    _assert_no_plaintext(folder)


def test_database_files_are_readable_by_the_user_only(store: HistoryStore, db_path: Path) -> None:
    _fill(store, copies=1)
    modes = {item.name: item.stat().st_mode & 0o777 for item in db_path.parent.iterdir()}
    assert modes == {"history.db": 0o600, "history.db-wal": 0o600, "history.db-shm": 0o600}
    assert db_path.parent.stat().st_mode & 0o777 == 0o700


def test_plain_sqlite_cannot_read_the_file(store: HistoryStore, db_path: Path) -> None:
    _fill(store, copies=1)
    store.close()
    assert not db_path.read_bytes().startswith(b"SQLite format 3\x00")
    connection = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            connection.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        connection.close()


def test_wrong_key_fails_clearly_and_leaves_the_files_byte_identical(
    store: HistoryStore, db_path: Path
) -> None:
    _fill(store, copies=3)
    store.close()
    before = file_hashes(db_path.parent)
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(db_path, HistoryKey.from_bytes(os.urandom(32)))
    message = str(caught.value)
    assert message.startswith("the history database cannot be opened with this key: ")
    assert "(fix: " in message
    assert str(db_path.parent) not in message
    assert file_hashes(db_path.parent) == before


def test_file_that_is_not_a_history_database_is_refused_and_left_alone(
    db_path: Path, key: HistoryKey
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(os.urandom(8192))
    before = file_hashes(db_path.parent)
    with pytest.raises(HistoryError, match="cannot be opened with this key"):
        HistoryStore.open(db_path, key)
    assert file_hashes(db_path.parent) == before


def test_wrong_key_does_not_create_a_new_database(
    store: HistoryStore, db_path: Path, key: HistoryKey
) -> None:
    ids = _fill(store, copies=2)
    store.close()
    with pytest.raises(HistoryError):
        HistoryStore.open(db_path, HistoryKey.from_passphrase("not the key at all"))
    with HistoryStore.open(db_path, key) as reopened:
        assert [entry.id for entry in reopened.export(client="test")] == ids


def test_store_runs_with_secure_delete_wal_and_memory_temp_store(store: HistoryStore) -> None:
    # These settings belong to the connection, so only the store's own one shows them.
    connection = store._connection
    assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
    assert connection.execute("PRAGMA temp_store").fetchone() == (2,)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert str(connection.execute("PRAGMA cipher_version").fetchone()[0]).startswith("4.")


def test_passphrase_key_encrypts_and_reopens(db_path: Path) -> None:
    passphrase = 'it\'s a "quoted" passphrase; DROP TABLE entries'
    with HistoryStore.open(db_path, HistoryKey.from_passphrase(passphrase)) as store:
        entry_id = store.add(note(SECRET_OUTPUT))
    with HistoryStore.open(db_path, HistoryKey.from_passphrase(passphrase)) as store:
        found = store.get(entry_id, client="test")
    assert found is not None
    assert found.output_text == SECRET_OUTPUT
    _assert_no_plaintext(db_path.parent)


def test_no_stored_text_reaches_logs_or_stderr(
    db_path: Path,
    key: HistoryKey,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    with HistoryStore.open(db_path, key) as store:
        ids = _fill(store, copies=2)
        entry = store.get(ids[0], client="test")
        store.search(f'{SECRET_WORDS[0]} "( NEAR', 10, client="test")
        store.list_entries(10, client="test")
        store.delete(ids[0], client="test")
        store.purge_expired(1, now=10**12)
        logging.getLogger("test").info("entry %r, new %r", entry, NewEntry("rewrite", SECRET_INPUT))
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(db_path, HistoryKey.from_bytes(os.urandom(32)))
    out, err = capfd.readouterr()
    for word in SECRET_WORDS:
        assert word not in caplog.text
        assert word not in out + err
        assert word not in str(caught.value)
    assert "hmac" not in err
