"""Negated words: "denies chest pain", "pulses absent", "ruled out PE"."""

from __future__ import annotations

from daemon.rewrite.facts.fact import Fact
from daemon.rewrite.facts.lexicon import (
    EITHER_WAY_CUES,
    FILLERS,
    FORWARD_CUES,
    NOT_OBJECTS,
    TERMINATORS,
)
from daemon.rewrite.facts.tokens import BOUNDARY, Token, is_word, low_at, stem

_NEGATION_REACH = 6
_BACKWARD_REACH = 3


def _is_cue(token: Token) -> bool:
    return token.low in FORWARD_CUES or token.low in EITHER_WAY_CUES or token.low.endswith("n't")


def _is_object(token: Token) -> bool:
    return is_word(token) and token.low not in FILLERS and len(token.low) > 1


def _forward_scope(tokens: list[Token], start: int) -> list[Token]:
    if low_at(tokens, start) == ",":
        return []
    taken: list[Token] = []
    after_comma = False
    for j in range(start, len(tokens)):
        token = tokens[j]
        if token.low in BOUNDARY or _is_cue(token) or len(taken) >= _NEGATION_REACH:
            break
        if token.low[0].isdigit():
            # "denies chest pain, BP 140/90": a listed word right before a value labels it.
            if after_comma and taken and taken[-1] is tokens[j - 1]:
                taken.pop()
            break
        if token.low == ",":
            after_comma = True
            continue
        if token.low in TERMINATORS:
            if taken:
                break
            continue
        if _is_object(token):
            taken.append(token)
    return taken


def _backward_scope(tokens: list[Token], end: int) -> list[Token]:
    taken: list[Token] = []
    for token in reversed(tokens[:end]):
        if token.low in BOUNDARY - {":"} or _is_cue(token) or len(taken) >= _BACKWARD_REACH:
            break
        if token.low in TERMINATORS - FILLERS:
            break
        if _is_object(token):
            taken.append(token)
    return taken[::-1]


def _looks_ahead(tokens: list[Token], after: int) -> bool:
    """ "negative for X", "absent pulses" look ahead; "CT negative", "pulses absent" look back."""
    if after >= len(tokens):
        return False
    nxt = tokens[after]
    return nxt.low in ("for", "of") or (
        is_word(nxt) and len(nxt.low) > 1 and nxt.low not in NOT_OBJECTS
    )


def negation_facts(tokens: list[Token]) -> list[Fact]:
    """One fact per negated word, grouped by the cue that negates it."""
    facts: list[Fact] = []
    for i, token in enumerate(tokens):
        ruled_out = token.low == "ruled" and low_at(tokens, i + 1) == "out"
        if not _is_cue(token) and not ruled_out:
            continue
        after = i + 2 if ruled_out else i + 1
        cue = "ruled out" if ruled_out else token.low
        if (ruled_out or token.low in EITHER_WAY_CUES) and not _looks_ahead(tokens, after):
            scope, backward = _backward_scope(tokens, i), True
        else:
            scope, backward = _forward_scope(tokens, after), False
        facts += [
            Fact(
                key=f"neg:{stem(word.low)}",
                label=word.low,
                pos=token.pos,
                unique=True,
                group=i,
                cue=cue,
                backward=backward,
            )
            for word in scope
        ]
    return facts
