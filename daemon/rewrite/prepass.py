"""The clinical clean-up as a pre-pass: the LLM rewrites the tidied text, piece by piece.

A piece whose rewrite is rejected falls back to its tidied form, so a proofread
that the model could not improve still gets its case, punctuation and spacing
fixed. That fallback is only safe because tidy never changes a fact: the
tidied text is checked against the user's own text with the fidelity guard
once per request, and should it ever fail, the pre-pass is skipped (the pieces
are then the user's own, as without it).
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass

from daemon.rewrite.clinical import tidy
from daemon.rewrite.fidelity import check_fidelity
from daemon.rewrite.pieces import Split, split

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """What the LLM rewrites: the pieces of the tidied text, and which ones tidy changed."""

    pieces: Split
    # Per piece: whether its text differs from the user's (the pre-pass changed it).
    tidied: tuple[bool, ...]


def prepare(source: str, enabled: bool) -> Prepared:
    """The pieces to rewrite: of tidy(source) when `enabled` and faithful, else of `source`."""
    text = tidy(source).text if enabled else source
    if text != source and not check_fidelity(source, text).ok:
        # tidy only moves spaces, case and full stops; this is a bug in it, not the user's.
        log.error("the clinical clean-up changed a fact; this rewrite skips it")
        text = source
    pieces = split(text)
    return Prepared(pieces, _changed_pieces(source, pieces))


def _changed_pieces(source: str, pieces: Split) -> tuple[bool, ...]:
    """Which pieces of `pieces` (a tidied `source`) hold a character tidy changed."""
    tidied = pieces.merge()
    if tidied == source:
        return tuple(False for _ in pieces.pieces)
    matcher = difflib.SequenceMatcher(None, source, tidied, autojunk=False)
    edits = [(j1, j2) for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    changed: list[bool] = []
    at = 0
    for piece in pieces.pieces:
        start = at + len(piece.before)
        at = start + len(piece.text)
        changed.append(any(_inside(j1, j2, start, at) for j1, j2 in edits))
    return tuple(changed)


def _inside(j1: int, j2: int, start: int, end: int) -> bool:
    """Whether an edit at tidied[j1:j2] touches the piece tidied[start:end].

    A deletion (j1 == j2) at a piece's edge took whitespace between pieces, not a
    character of the piece.
    """
    if j1 == j2:
        return start < j1 < end
    return j1 < end and j2 > start
