"""Sides of the body: "left knee", "R hip", "bilateral", "both legs"."""

from __future__ import annotations

from daemon.rewrite.facts.fact import Fact
from daemon.rewrite.facts.lexicon import (
    BODY_PARTS,
    LEFT_NOT_SIDE_NEXT,
    LEFT_NOT_SIDE_PREV,
    NOT_OBJECTS,
    RIGHT_ADVERB_PREV,
    RIGHT_NOT_SIDE_NEXT,
    RIGHT_NOT_SIDE_PREV,
    SIDE_SKIP,
    SIDES,
)
from daemon.rewrite.facts.tokens import Token, is_word, low_at, stem


def _single_letter_side(tokens: list[Token], i: int) -> str | None:
    token = tokens[i]
    if token.text not in ("L", "R"):
        return None
    side = "left" if token.text == "L" else "right"
    nxt = low_at(tokens, i + 1)
    if low_at(tokens, i - 1) == "(" and nxt == ")":
        return side
    if nxt == "-":
        nxt = low_at(tokens, i + 2)
    return side if stem(nxt) in BODY_PARTS else None


def _side_target(tokens: list[Token], start: int) -> str | None:
    for token in tokens[start:]:
        if token.low in SIDE_SKIP:
            continue
        if is_word(token) and token.low not in NOT_OBJECTS:
            return stem(token.low)
        return None
    return None


def _side_word_is_verb_or_idiom(word: str, prev: str, nxt: str) -> bool:
    if word == "right" and prev in RIGHT_ADVERB_PREV:
        return True
    if nxt in SIDE_SKIP or stem(nxt) in BODY_PARTS:
        return False
    if word == "left":
        return nxt in LEFT_NOT_SIDE_NEXT or prev in LEFT_NOT_SIDE_PREV
    if word == "right":
        return nxt in RIGHT_NOT_SIDE_NEXT or prev in RIGHT_NOT_SIDE_PREV
    return False


def laterality_facts(tokens: list[Token]) -> list[Fact]:
    """One fact per side named, with the body part it qualifies when there is one."""
    facts = []
    for i, token in enumerate(tokens):
        nxt, prev = low_at(tokens, i + 1), low_at(tokens, i - 1)
        side = SIDES.get(token.low)
        if side and _side_word_is_verb_or_idiom(token.low, prev, nxt):
            side = None
        if token.low == "both" and stem(nxt) in BODY_PARTS:
            side = "bilateral"
        side = side or _single_letter_side(tokens, i)
        if side is None:
            continue
        target = _side_target(tokens, i + 1)
        label = f"{side} {target}" if target else side
        facts.append(
            Fact(
                key=f"side:{label}",
                label=label,
                pos=token.pos,
                base=f"side:{side}",
                bare=target is None,
                unique=True,
            )
        )
    return facts
