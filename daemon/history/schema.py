"""Ordered schema migrations, each applied once in its own transaction and recorded.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from daemon.errors import HistoryError

log = logging.getLogger(__name__)

MIGRATIONS_TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "entries, full-text index, audit trail",
        (
            """
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at REAL NOT NULL,
                kind TEXT NOT NULL,
                source_app TEXT,
                input_text TEXT,
                audio_seconds REAL,
                output_text TEXT NOT NULL,
                model TEXT,
                duration_seconds REAL,
                fidelity_json TEXT,
                has_audio INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX entries_by_time ON entries (created_at)",
            # External content: the text is stored once, in `entries`; the index
            # follows it through the triggers below.
            """
            CREATE VIRTUAL TABLE entries_fts USING fts5 (
                input_text, output_text,
                content = 'entries', content_rowid = 'id',
                tokenize = 'porter unicode61 remove_diacritics 2'
            )
            """,
            # Deleted words leave the index at once instead of at the next merge.
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('secure-delete', 1)",
            """
            CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
                INSERT INTO entries_fts (rowid, input_text, output_text)
                VALUES (new.id, new.input_text, new.output_text);
            END
            """,
            """
            CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
                INSERT INTO entries_fts (entries_fts, rowid, input_text, output_text)
                VALUES ('delete', old.id, old.input_text, old.output_text);
            END
            """,
            """
            CREATE TRIGGER entries_fts_update AFTER UPDATE ON entries BEGIN
                INSERT INTO entries_fts (entries_fts, rowid, input_text, output_text)
                VALUES ('delete', old.id, old.input_text, old.output_text);
                INSERT INTO entries_fts (rowid, input_text, output_text)
                VALUES (new.id, new.input_text, new.output_text);
            END
            """,
            # No foreign key to entries: the record of a deletion outlives the entry.
            """
            CREATE TABLE audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at REAL NOT NULL,
                action TEXT NOT NULL,
                client TEXT NOT NULL,
                entry_id INTEGER,
                count INTEGER
            )
            """,
            "CREATE INDEX audit_by_time ON audit (created_at)",
        ),
    ),
    # Clinic mode: one row per request sent to the practice's server; never content.
    Migration(
        2,
        "upstream request audit",
        (
            """
            CREATE TABLE upstream_audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at REAL NOT NULL,
                engine TEXT NOT NULL,
                model TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                outcome TEXT NOT NULL,
                status INTEGER,
                bytes_sent INTEGER NOT NULL,
                bytes_received INTEGER NOT NULL
            )
            """,
            "CREATE INDEX upstream_audit_by_time ON upstream_audit (created_at)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def current_version(connection: Any) -> int:
    """The highest migration recorded in the database (0 for a new one)."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if exists is None:
        return 0
    row = connection.execute(f"SELECT max(version) FROM {MIGRATIONS_TABLE}").fetchone()
    return int(row[0] or 0)


def migrate(connection: Any) -> int:
    """Apply every pending migration; return the schema version reached.

    The connection must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE
    takes the write lock before the version is read, so two processes starting
    together never apply a migration twice.
    """
    for migration in MIGRATIONS:
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = _checked_version(connection)
            if version < migration.version:
                _apply(connection, migration)
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return current_version(connection)


def _checked_version(connection: Any) -> int:
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
    )
    version = current_version(connection)
    if version > LATEST_VERSION:
        raise HistoryError(
            f"the history database has schema version {version}, newer than this "
            f"Sottovoce knows ({LATEST_VERSION}) (fix: upgrade Sottovoce; the database "
            "was left untouched)"
        )
    return version


def _apply(connection: Any, migration: Migration) -> None:
    for statement in migration.statements:
        connection.execute(statement)
    connection.execute(
        f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, time.time()),
    )
    log.info("history schema migrated to version %d (%s)", migration.version, migration.name)
