"""Every read, list, search, export and delete of the history is recorded."""

from __future__ import annotations

import pytest

from daemon.history import HistoryStore
from tests.history.helpers import note


def _trail(store: HistoryStore) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (record.action, record.client, record.entry_id, record.count)
        for record in reversed(store.audit_log(100))
    ]


def test_reads_searches_exports_and_deletes_are_recorded_with_client(
    store: HistoryStore,
) -> None:
    first = store.add(note("aspirin"))
    second = store.add(note("heparin"))
    store.get(first, client="api:editor")
    store.list_entries(10, client="api:tray")
    store.search("aspirin", 10, client="api:editor")
    store.export(client="cli")
    store.delete(second, client="api:editor")
    store.delete(second, client="api:editor")
    store.delete_all(client="cli")
    assert _trail(store) == [
        ("read", "api:editor", first, None),
        ("list", "api:tray", None, 2),
        ("search", "api:editor", None, 1),
        ("export", "cli", None, 2),
        ("delete", "api:editor", second, 1),
        ("delete", "api:editor", second, 0),
        ("delete_all", "cli", None, 1),
    ]


def test_writes_are_not_audit_events(store: HistoryStore) -> None:
    store.add(note("one"))
    assert store.audit_log(10) == []


def test_retention_purge_is_recorded_only_when_it_deletes(store: HistoryStore) -> None:
    store.add(note("old", created_at=0.0))
    store.purge_expired(30)
    store.purge_expired(30)
    assert _trail(store) == [("purge", "retention", None, 1)]


def test_record_access_adds_an_event_the_store_did_not_perform(store: HistoryStore) -> None:
    store.record_access("export", "cli:file", count=12)
    [record] = store.audit_log(10)
    assert (record.action, record.client, record.count, record.entry_id) == (
        "export",
        "cli:file",
        12,
        None,
    )
    assert record.created_at > 1_700_000_000


def test_audit_log_is_newest_first_and_pages(store: HistoryStore) -> None:
    entry_id = store.add(note("x"))
    for _ in range(5):
        store.get(entry_id, client="c")
    first = store.audit_log(3)
    second = store.audit_log(3, before=first[-1].id)
    ids = [record.id for record in first + second]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 5


def test_audit_outlives_the_deleted_entries(store: HistoryStore) -> None:
    entry_id = store.add(note("x"))
    store.get(entry_id, client="c")
    store.delete_all(client="c")
    assert [record.action for record in store.audit_log(10)] == ["delete_all", "read"]


def test_unknown_audit_action_is_refused(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="audit action"):
        store.record_access("peek", "cli")
    assert store.audit_log(10) == []
