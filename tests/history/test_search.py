"""Full-text search finds entries by words of inputs and outputs; any query is safe."""

from __future__ import annotations

import pytest

from daemon.history import Entry, HistoryStore
from daemon.history.store import fts_query
from tests.history.helpers import note

NASTY_QUERIES = [
    '"',
    '""',
    "(",
    ")",
    "*",
    "-",
    "^",
    ":",
    "NEAR(",
    "AND",
    "OR NOT",
    "input_text:metformin",
    'metformin" OR "x',
    "{input_text}: a",
    "a + b",
    "'; DROP TABLE entries; --",
    "\x00",
    "métformin\u200b",
    "",
    "   ",
]


def _ids(entries: list[Entry]) -> list[int]:
    return [entry.id for entry in entries]


def test_search_finds_words_of_the_input_and_of_the_output(store: HistoryStore) -> None:
    by_input = store.add(note("Patient is well.", "pt denies chest pain"))
    by_output = store.add(note("Left knee swelling resolved.", "knee better"))
    store.add(note("Unrelated text.", "nothing here"))
    assert _ids(store.search("chest", 10, client="test")) == [by_input]
    assert _ids(store.search("swelling", 10, client="test")) == [by_output]
    assert _ids(store.search("knee", 10, client="test")) == [by_output]


def test_search_needs_every_word_and_ignores_case_accents_and_word_forms(
    store: HistoryStore,
) -> None:
    match = store.add(note("Metformin dose increased", "café visit"))
    store.add(note("Metformin unchanged"))
    assert _ids(store.search("METFORMIN doses", 10, client="test")) == [match]
    assert _ids(store.search("cafe", 10, client="test")) == [match]


def test_word_ending_in_star_matches_as_prefix(store: HistoryStore) -> None:
    match = store.add(note("Started metformin"))
    assert _ids(store.search("metf*", 10, client="test")) == [match]
    assert store.search("metf", 10, client="test") == []


def test_punctuation_in_a_query_is_matched_as_text(store: HistoryStore) -> None:
    match = store.add(note("BP 120/80, left-sided weakness"))
    assert _ids(store.search("120/80,", 10, client="test")) == [match]
    assert _ids(store.search('"left-sided"', 10, client="test")) == [match]
    assert _ids(store.search("(weakness)", 10, client="test")) == [match]


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_any_query_text_is_safe(store: HistoryStore, query: str) -> None:
    store.add(note("metformin AND insulin (twice) NEAR bedtime"))
    store.add(note("nothing in common"))
    results = store.search(query, 10, client="test")
    assert len(results) <= 1
    assert all(entry.output_text.startswith("metformin") for entry in results)


@pytest.mark.parametrize(
    "query", ["output_text:metformin", 'metformin" OR "warfarin', "metformin NOT warfarin"]
)
def test_operator_like_text_is_searched_literally(store: HistoryStore, query: str) -> None:
    store.add(note("metformin AND insulin (twice) NEAR bedtime"))
    # As operators these would match; as literal words they do not all occur.
    assert store.search(query, 10, client="test") == []


def test_operators_typed_by_a_user_are_words_not_syntax() -> None:
    assert fts_query('a OR "b" NEAR( c*') == '"a" "OR" """b""" "NEAR(" "c"*'
    assert fts_query("-- ( ) *") is None


def test_search_results_are_newest_first_and_paging_is_stable(store: HistoryStore) -> None:
    matching = [store.add(note(f"aspirin note {n}")) for n in range(5)]
    store.add(note("ibuprofen only"))
    first = store.search("aspirin", 2, client="test")
    store.add(note("aspirin arriving between pages"))
    second = store.search("aspirin", 2, before=first[-1].id, client="test")
    third = store.search("aspirin", 2, before=second[-1].id, client="test")
    assert _ids(first) + _ids(second) + _ids(third) == matching[::-1]


def test_deleted_entries_are_no_longer_found(store: HistoryStore) -> None:
    gone = store.add(note("warfarin started"))
    kept = store.add(note("warfarin stopped"))
    store.delete(gone, client="test")
    assert _ids(store.search("warfarin", 10, client="test")) == [kept]
    store.delete_all(client="test")
    assert store.search("warfarin", 10, client="test") == []
