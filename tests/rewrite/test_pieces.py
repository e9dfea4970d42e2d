"""Splitting a note into pieces and merging them back loses nothing."""

from __future__ import annotations

import pytest

from daemon.rewrite.pieces import split

NOTES = [
    "pt is 52yo female w/ chest pain, denies fever. bp 140/90 hr 88.",
    "  Dr. Smith saw pt.\n\nPlan: e.g. rest; fluids.  \n",
    "Temp 38.5. x. y.\r\n\tNext line\n",
    "one piece without punctuation",
    "",
    "   \n ",
    "Give 0.5 mg. Then 2.5 mg!  Why? Because.",
]


@pytest.mark.parametrize("note", NOTES)
def test_merge_gives_back_the_exact_text(note: str) -> None:
    assert split(note).merge() == note


@pytest.mark.parametrize("note", NOTES)
def test_merge_with_replacements_keeps_the_whitespace_between_pieces(note: str) -> None:
    parts = split(note)
    merged = parts.merge(f"<{i}>" for i in range(len(parts.pieces)))
    expected = "".join(f"{p.before}<{i}>" for i, p in enumerate(parts.pieces)) + parts.tail
    assert merged == expected


def test_sentences_and_lines_become_pieces_even_in_lower_case() -> None:
    pieces = split("denies fever. bp 140/90 hr 88.\nf/u in 2 weeks; call if worse.").pieces
    assert [p.text for p in pieces] == [
        "denies fever.",
        "bp 140/90 hr 88.",
        "f/u in 2 weeks;",
        "call if worse.",
    ]


def test_abbreviations_and_decimals_do_not_end_a_piece() -> None:
    pieces = split("Seen by Dr. Jones, e.g. for temp 38.5 today. Pt. stable.").pieces
    assert [p.text for p in pieces] == [
        "Seen by Dr. Jones, e.g. for temp 38.5 today.",
        "Pt. stable.",
    ]


def test_merge_needs_one_text_per_piece() -> None:
    with pytest.raises(ValueError, match="one text per piece"):
        split("fever. cough.").merge(["only one"])
