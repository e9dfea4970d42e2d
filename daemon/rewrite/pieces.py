"""Split a note into sentence or clause pieces, and merge them back without losing a byte.

A piece keeps the exact whitespace before it, and the text keeps its trailing
whitespace, so `merge(split(text)) == text` for every text. Clinical shorthand
often starts a sentence in lower case ("denies fever. bp 140/90"), so a
boundary is sentence punctuation followed by whitespace, whatever comes next,
except after a known abbreviation or a single letter ("Dr.", "e.g.", "x."); a
new line always ends a piece. General sentence splitters (Punkt and its kin)
lean on capitals, are trained on news text and do not return offsets, which a
lossless merge needs: the few rules here are the whole job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Words that end with a full stop inside a sentence (compared in lower case).
_ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "etc",
        "approx",
        "appt",
        "dept",
        "dx",
        "hx",
        "rx",
        "tx",
        "sx",
        "fx",
        "pt",
        "pts",
        "fig",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "b.i.d",
        "t.i.d",
        "q.i.d",
        "q.d",
        "p.r.n",
        "p.o",
        "i.v",
        "i.m",
        "s.c",
        "h.s",
        "a.c",
        "p.c",
    ]
)
# Sentence punctuation and the whitespace after it, or a run of whitespace holding a
# new line; `;` ends a clause.
_BOUNDARY_RE = re.compile(r"(?<=[.!?;])[ \t]+|[ \t]*\n\s*")
_WORD_BEFORE_RE = re.compile(r"(\S+)\Z")


@dataclass(frozen=True)
class Piece:
    """One sentence or clause: the whitespace before it, then its text."""

    before: str
    text: str


@dataclass(frozen=True)
class Split:
    """A text as pieces, with the whitespace after the last one."""

    pieces: tuple[Piece, ...]
    tail: str = ""

    def merge(self, texts: Iterable[str] | None = None) -> str:
        """The text again, with `texts` (one per piece) in place of the pieces' own."""
        chosen = [p.text for p in self.pieces] if texts is None else list(texts)
        if len(chosen) != len(self.pieces):
            raise ValueError("one text per piece")
        body = "".join(p.before + t for p, t in zip(self.pieces, chosen, strict=True))
        return body + self.tail


def split(text: str) -> Split:
    """`text` as sentence and clause pieces; merge() gives back `text` exactly."""
    stripped = text.rstrip()
    tail = text[len(stripped) :]
    lead = len(stripped) - len(stripped.lstrip())
    pieces: list[Piece] = []
    before, start = stripped[:lead], lead
    for match in _BOUNDARY_RE.finditer(stripped, lead):
        if match.start() <= start:
            continue
        if "\n" not in match[0] and _abbreviation_before(stripped[start : match.start()]):
            continue
        pieces.append(Piece(before, stripped[start : match.start()]))
        before, start = match[0], match.end()
    if start < len(stripped):
        pieces.append(Piece(before, stripped[start:]))
    elif before:
        tail = before + tail
    return Split(tuple(pieces), tail)


def _abbreviation_before(chunk: str) -> bool:
    """Whether `chunk` ends with an abbreviation's full stop rather than a sentence's."""
    if not chunk.endswith("."):
        return False
    match = _WORD_BEFORE_RE.search(chunk)
    word = match[1].lower().rstrip(".").lstrip("(\"'") if match else ""
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS
