"""Entries go in and come back whole; paging, deletion, retention and threads behave."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from daemon.errors import HistoryError
from daemon.history import HistoryKey, HistoryStore, NewEntry
from tests.history.helpers import note

DAY = 86400.0


def test_entry_round_trips_every_field(store: HistoryStore) -> None:
    fidelity = {"ok": False, "missing": ["500 mg"], "added": ["300 mg"]}
    new = NewEntry(
        kind="rewrite",
        output_text="Metformin 300 mg daily.",
        input_text="metformin 500mg daily",
        source_app="Firefox",
        model="smollm2-135m-instruct",
        duration_seconds=0.75,
        fidelity=fidelity,
        created_at=1_700_000_000.5,
    )
    entry = store.get(store.add(new), client="test")
    assert entry is not None
    assert (entry.kind, entry.output_text, entry.input_text) == (
        "rewrite",
        "Metformin 300 mg daily.",
        "metformin 500mg daily",
    )
    assert (entry.source_app, entry.model, entry.duration_seconds) == (
        "Firefox",
        "smollm2-135m-instruct",
        0.75,
    )
    assert entry.fidelity == fidelity
    assert entry.created_at == 1_700_000_000.5
    assert entry.audio_seconds is None
    assert entry.has_audio is False


def test_transcription_keeps_audio_duration_and_gets_the_current_time(
    store: HistoryStore,
) -> None:
    entry_id = store.add(
        NewEntry(kind="dictation", output_text="hello", audio_seconds=3.5, has_audio=True)
    )
    entry = store.get(entry_id, client="test")
    assert entry is not None
    assert (entry.input_text, entry.audio_seconds, entry.has_audio) == (None, 3.5, True)
    assert entry.fidelity is None
    assert entry.created_at > 1_700_000_000


def test_missing_entry_reads_as_none(store: HistoryStore) -> None:
    assert store.get(12345, client="test") is None


def test_unknown_kind_is_refused(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="kind"):
        store.add(NewEntry(kind="chat", output_text="x"))  # type: ignore[arg-type]
    assert store.list_entries(10, client="test") == []


def test_entries_persist_across_reopen(db_path: Path, key: HistoryKey) -> None:
    with HistoryStore.open(db_path, key) as store:
        entry_id = store.add(note("kept"))
    with HistoryStore.open(db_path, key) as store:
        entry = store.get(entry_id, client="test")
    assert entry is not None
    assert entry.output_text == "kept"


def test_list_is_newest_first_and_paging_is_stable_under_inserts(store: HistoryStore) -> None:
    ids = [store.add(note(f"note {n}")) for n in range(7)]
    first = store.list_entries(3, client="test")
    assert [entry.id for entry in first] == ids[6:3:-1]
    # New entries arriving between pages must not shift or repeat later pages.
    store.add(note("arrived later"))
    second = store.list_entries(3, before=first[-1].id, client="test")
    third = store.list_entries(3, before=second[-1].id, client="test")
    assert [entry.id for entry in second] == ids[3:0:-1]
    assert [entry.id for entry in third] == ids[:1]
    assert store.list_entries(3, before=ids[0], client="test") == []


def test_ids_of_deleted_entries_are_never_reused(store: HistoryStore) -> None:
    first = store.add(note("one"))
    second = store.add(note("two"))
    store.delete_all(client="test")
    assert store.add(note("three")) > second > first


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_page_size_out_of_range_is_refused(store: HistoryStore, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        store.list_entries(limit, client="test")


def test_delete_removes_one_entry_and_reports_whether_it_existed(store: HistoryStore) -> None:
    keep, drop = store.add(note("keep")), store.add(note("drop"))
    assert store.delete(drop, client="test") is True
    assert store.delete(drop, client="test") is False
    assert [entry.id for entry in store.export(client="test")] == [keep]


def test_delete_all_removes_every_entry_and_counts_them(store: HistoryStore) -> None:
    for n in range(4):
        store.add(note(f"note {n}"))
    assert store.delete_all(client="test") == 4
    assert store.export(client="test") == []
    assert store.delete_all(client="test") == 0


def test_retention_deletes_exactly_the_expired_entries(store: HistoryStore) -> None:
    now = 1_800_000_000.0
    ages = {"31 days": 31 * DAY, "just expired": 30 * DAY + 1, "exactly 30 days": 30 * DAY}
    ages |= {"29 days": 29 * DAY, "new": 0.0}
    ids = {name: store.add(note(name, created_at=now - age)) for name, age in ages.items()}
    assert store.purge_expired(30, now=now) == 2
    remaining = [entry.id for entry in store.export(client="test")]
    assert remaining == [ids["exactly 30 days"], ids["29 days"], ids["new"]]
    assert store.search("expired", 10, client="test") == []
    assert store.purge_expired(30, now=now) == 0


def test_retention_of_zero_days_keeps_everything(store: HistoryStore) -> None:
    store.add(note("ancient", created_at=0.0))
    assert store.purge_expired(0) == 0
    assert len(store.export(client="test")) == 1


def test_two_hundred_concurrent_writes_from_threads_all_land(store: HistoryStore) -> None:
    writers = 200
    start = threading.Barrier(writers)
    ids: list[int] = []
    errors: list[BaseException] = []

    def write(n: int) -> None:
        start.wait()
        try:
            ids.append(store.add(note(f"concurrent note number{n}")))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == writers
    stored = store.export(client="test")
    assert sorted(entry.id for entry in stored) == sorted(ids)
    assert {entry.output_text for entry in stored} == {
        f"concurrent note number{n}" for n in range(writers)
    }
    assert len(store.search("concurrent", 1000, client="test")) == writers


def test_closed_store_refuses_calls_and_closing_twice_is_harmless(store: HistoryStore) -> None:
    store.close()
    store.close()
    with pytest.raises(HistoryError, match="closed"):
        store.add(note("too late"))
