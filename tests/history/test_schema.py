"""A fresh database has exactly the expected schema, and migrations run once."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.errors import HistoryError
from daemon.history import HistoryKey, HistoryStore
from daemon.history.schema import LATEST_VERSION, MIGRATIONS
from tests.history.helpers import raw_connection


def _objects(db_path: Path, key: HistoryKey) -> set[tuple[str, str]]:
    connection = raw_connection(db_path, key)
    try:
        rows = connection.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    finally:
        connection.close()
    return set(rows)


def test_fresh_database_has_tables_search_index_triggers_and_version(
    store: HistoryStore, db_path: Path, key: HistoryKey
) -> None:
    store.close()
    assert _objects(db_path, key) == {
        ("table", "schema_migrations"),
        ("table", "entries"),
        ("index", "entries_by_time"),
        ("table", "entries_fts"),
        ("table", "entries_fts_data"),
        ("table", "entries_fts_idx"),
        ("table", "entries_fts_docsize"),
        ("table", "entries_fts_config"),
        ("trigger", "entries_fts_insert"),
        ("trigger", "entries_fts_delete"),
        ("trigger", "entries_fts_update"),
        ("table", "audit"),
        ("index", "audit_by_time"),
        ("table", "upstream_audit"),
        ("index", "upstream_audit_by_time"),
    }


def test_fresh_database_records_each_migration_once(
    store: HistoryStore, db_path: Path, key: HistoryKey
) -> None:
    assert store.schema_version() == LATEST_VERSION == MIGRATIONS[-1].version
    store.close()
    HistoryStore.open(db_path, key).close()
    connection = raw_connection(db_path, key)
    try:
        rows = connection.execute("SELECT version, name FROM schema_migrations").fetchall()
    finally:
        connection.close()
    assert rows == [(m.version, m.name) for m in MIGRATIONS]


def test_entries_table_has_the_recorded_fields(
    store: HistoryStore, db_path: Path, key: HistoryKey
) -> None:
    connection = raw_connection(db_path, key)
    try:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(entries)")]
    finally:
        connection.close()
    assert columns == [
        "id",
        "created_at",
        "kind",
        "source_app",
        "input_text",
        "audio_seconds",
        "output_text",
        "model",
        "duration_seconds",
        "fidelity_json",
        "has_audio",
    ]


def test_search_index_removes_deleted_words_at_once(
    store: HistoryStore, db_path: Path, key: HistoryKey
) -> None:
    connection = raw_connection(db_path, key)
    try:
        config = dict(connection.execute("SELECT k, v FROM entries_fts_config").fetchall())
    finally:
        connection.close()
    assert config.get("secure-delete") == 1


def test_database_from_a_newer_version_is_refused_and_left_alone(
    store: HistoryStore, db_path: Path, key: HistoryKey
) -> None:
    store.close()
    connection = raw_connection(db_path, key)
    connection.execute(
        "INSERT INTO schema_migrations VALUES (?, 'from the future', 0)", (LATEST_VERSION + 1,)
    )
    connection.close()
    with pytest.raises(HistoryError, match=r"newer than this Sottovoce knows.*fix: upgrade"):
        HistoryStore.open(db_path, key)
    connection = raw_connection(db_path, key)
    try:
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations")]
    finally:
        connection.close()
    assert versions == [*range(1, LATEST_VERSION + 1), LATEST_VERSION + 1]
