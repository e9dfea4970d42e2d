"""The encrypted history: one SQLCipher 4 database, written in transactions, audited.

Thread safety: one connection guarded by one lock. SQLite runs one writer at a
time anyway and nearly every call here writes (reads record an audit row), so
more connections would only add lock waits, more copies of decrypted pages in
memory, and connections owned by executor threads that `close()` cannot reach.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import sqlcipher3

from daemon.errors import HistoryError
from daemon.history import schema
from daemon.history.connection import failure, open_encrypted
from daemon.history.keys import HistoryKey
from daemon.history.models import AUDIT_ACTIONS, KINDS, AuditRecord, Entry, NewEntry
from daemon.upstream.audit import UpstreamRecord

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
MAX_CLIENT_CHARS = 200
RETENTION_CLIENT = "retention"
_NO_CURSOR = 2**63 - 1
_DAY_S = 86400.0
_ENTRY_COLUMNS = (
    "id, created_at, kind, output_text, input_text, audio_seconds, source_app, model, "
    "duration_seconds, fidelity_json, has_audio"
)


class HistoryStore:
    """Transcriptions and rewrites, encrypted at rest, with an access audit trail."""

    def __init__(self, connection: Any, path: Path) -> None:
        """Use `HistoryStore.open`; this takes an already keyed and migrated connection."""
        self._connection: Any = connection
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: Path, key: HistoryKey) -> HistoryStore:
        """Open the database at `path`, creating it (mode 0600) only if no file exists."""
        connection = open_encrypted(path, key)
        try:
            schema.migrate(connection)
        except sqlcipher3.Error as error:
            connection.close()
            raise failure("migration", error) from None
        except BaseException:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        """Close the database; later calls raise HistoryError. Safe to call twice."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def add(self, entry: NewEntry) -> int:
        """Store one entry in its own transaction; return its id."""
        if entry.kind not in KINDS:
            raise ValueError(f"unknown history entry kind {entry.kind!r}")
        fidelity = None if entry.fidelity is None else json.dumps(dict(entry.fidelity))
        created_at = time.time() if entry.created_at is None else entry.created_at
        with self._transaction("add") as connection:
            cursor = connection.execute(
                "INSERT INTO entries (created_at, kind, output_text, input_text, audio_seconds,"
                " source_app, model, duration_seconds, fidelity_json, has_audio)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created_at,
                    entry.kind,
                    entry.output_text,
                    entry.input_text,
                    entry.audio_seconds,
                    entry.source_app,
                    entry.model,
                    entry.duration_seconds,
                    fidelity,
                    int(entry.has_audio),
                ),
            )
            return int(cursor.lastrowid)

    def get(self, entry_id: int, *, client: str) -> Entry | None:
        """One entry, or None; the read is audited."""
        with self._transaction("read") as connection:
            row = connection.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
            _audit(connection, "read", client, entry_id=entry_id)
        return None if row is None else _entry(row)

    def list_entries(self, limit: int, before: int | None = None, *, client: str) -> list[Entry]:
        """Newest first, ids below `before` (the last id of the previous page); audited."""
        _check_limit(limit)
        with self._transaction("list") as connection:
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id < ? ORDER BY id DESC LIMIT ?",
                (_cursor(before), limit),
            ).fetchall()
            _audit(connection, "list", client, count=len(rows))
        return [_entry(row) for row in rows]

    def search(
        self, query: str, limit: int, before: int | None = None, *, client: str
    ) -> list[Entry]:
        """Entries whose input or output has every word of `query`, newest first; audited.

        A word ending in `*` matches as a prefix. Any text is a valid query: the
        words are quoted, so FTS5 operators and punctuation are matched as text.
        """
        _check_limit(limit)
        match = fts_query(query)
        with self._transaction("search") as connection:
            rows = []
            if match is not None:
                rows = connection.execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id IN"
                    " (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)"
                    " AND id < ? ORDER BY id DESC LIMIT ?",
                    (match, _cursor(before), limit),
                ).fetchall()
            _audit(connection, "search", client, count=len(rows))
        return [_entry(row) for row in rows]

    def export(self, *, client: str) -> list[Entry]:
        """Every entry, oldest first; audited as one export."""
        with self._transaction("export") as connection:
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries ORDER BY id"
            ).fetchall()
            _audit(connection, "export", client, count=len(rows))
        return [_entry(row) for row in rows]

    def delete(self, entry_id: int, *, client: str) -> bool:
        """Delete one entry; True if it existed. Audited."""
        with self._transaction("delete") as connection:
            deleted = connection.execute("DELETE FROM entries WHERE id = ?", (entry_id,)).rowcount
            _audit(connection, "delete", client, entry_id=entry_id, count=deleted)
        if deleted:
            self._checkpoint()
        return bool(deleted)

    def delete_all(self, *, client: str) -> int:
        """Delete every entry; return how many. Audited."""
        with self._transaction("delete all") as connection:
            deleted = int(connection.execute("DELETE FROM entries").rowcount)
            _audit(connection, "delete_all", client, count=deleted)
        if deleted:
            self._checkpoint()
        return deleted

    def purge_expired(self, retention_days: int, now: float | None = None) -> int:
        """Delete entries older than `retention_days` (0 keeps everything); return how many."""
        if retention_days <= 0:
            return 0
        cutoff = (time.time() if now is None else now) - retention_days * _DAY_S
        with self._transaction("retention") as connection:
            deleted = int(
                connection.execute("DELETE FROM entries WHERE created_at < ?", (cutoff,)).rowcount
            )
            if deleted:
                _audit(connection, "purge", RETENTION_CLIENT, count=deleted)
        if deleted:
            self._checkpoint()
            log.info("history retention deleted %d entries", deleted)
        return deleted

    def record_access(
        self, action: str, client: str, entry_id: int | None = None, count: int | None = None
    ) -> None:
        """Audit an access the store did not perform itself (e.g. an export written elsewhere)."""
        with self._transaction("audit") as connection:
            _audit(connection, action, client, entry_id=entry_id, count=count)

    def audit_log(self, limit: int, before: int | None = None) -> list[AuditRecord]:
        """Audit records, newest first, ids below `before`."""
        _check_limit(limit)
        with self._transaction("audit log", write=False) as connection:
            rows = connection.execute(
                "SELECT id, created_at, action, client, entry_id, count FROM audit"
                " WHERE id < ? ORDER BY id DESC LIMIT ?",
                (_cursor(before), limit),
            ).fetchall()
        return [AuditRecord(*row) for row in rows]

    def record_upstream(self, record: UpstreamRecord) -> None:
        """Audit one request sent to the upstream server (clinic mode)."""
        with self._transaction("upstream audit") as connection:
            connection.execute(
                "INSERT INTO upstream_audit (created_at, engine, model, endpoint, outcome,"
                " status, bytes_sent, bytes_received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.created_at,
                    record.engine,
                    record.model,
                    record.endpoint,
                    record.outcome,
                    record.status,
                    record.bytes_sent,
                    record.bytes_received,
                ),
            )

    def upstream_log(self, limit: int) -> list[UpstreamRecord]:
        """Upstream request records, newest first."""
        _check_limit(limit)
        with self._transaction("upstream audit log", write=False) as connection:
            rows = connection.execute(
                "SELECT created_at, engine, model, endpoint, outcome, status, bytes_sent,"
                " bytes_received FROM upstream_audit ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [UpstreamRecord(*row) for row in rows]

    def schema_version(self) -> int:
        """The highest schema migration applied to this database."""
        with self._transaction("schema version", write=False) as connection:
            return schema.current_version(connection)

    @contextmanager
    def _transaction(self, operation: str, write: bool = True) -> Iterator[Any]:
        with self._lock:
            connection = self._connection
            if connection is None:
                raise HistoryError("the history store is closed")
            try:
                # IMMEDIATE takes the write lock up front, so a write never fails
                # half-way with SQLITE_BUSY when another process holds the database.
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield connection
                except BaseException:
                    # SQLite rolls back by itself after some errors (e.g. a full disk).
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            except sqlcipher3.Error as error:
                raise failure(operation, error) from None

    def _checkpoint(self) -> None:
        # Old copies of deleted rows stay in the WAL (encrypted) until a checkpoint;
        # truncating it right away narrows what a later key leak could reveal.
        with self._lock:
            if self._connection is None:
                return
            try:
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlcipher3.Error as error:
                log.warning("history checkpoint after a delete failed: %s", error)


def fts_query(text: str) -> str | None:
    """FTS5 syntax that matches every word of `text` as literal text; None if no words."""
    terms = []
    for word in text.replace("\x00", " ").split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not any(character.isalnum() for character in word):
            continue
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted + "*" if prefix else quoted)
    return " ".join(terms) or None


def _audit(
    connection: Any,
    action: str,
    client: str,
    entry_id: int | None = None,
    count: int | None = None,
) -> None:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown history audit action {action!r}")
    connection.execute(
        "INSERT INTO audit (created_at, action, client, entry_id, count) VALUES (?, ?, ?, ?, ?)",
        (time.time(), action, client[:MAX_CLIENT_CHARS] or "unknown", entry_id, count),
    )


def _entry(row: tuple[Any, ...]) -> Entry:
    fidelity = None if row[9] is None else cast(dict[str, Any], json.loads(row[9]))
    return Entry(
        id=row[0],
        created_at=row[1],
        kind=row[2],
        output_text=row[3],
        input_text=row[4],
        audio_seconds=row[5],
        source_app=row[6],
        model=row[7],
        duration_seconds=row[8],
        fidelity=fidelity,
        has_audio=bool(row[10]),
    )


def _cursor(before: int | None) -> int:
    return _NO_CURSOR if before is None else before


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
