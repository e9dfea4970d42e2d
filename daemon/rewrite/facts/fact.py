"""One clinical fact as the fidelity guard compares it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """A fact's comparison key, its readable label and where the text states it."""

    key: str
    label: str
    pos: int
    # A bare fact ("72", "left") also matches a fuller one with the same base
    # ("72 bpm", "left knee"): writers add or drop such context freely.
    base: str = ""
    bare: bool = False
    # Repeating a drug name, a negation or a side adds no fact, so these
    # compare as sets; numbers compare as multisets ("500 mg" twice is two doses).
    unique: bool = False
    group: int = -1
    cue: str = ""
    backward: bool = False


def simple_fact(kind: str, label: str, pos: int) -> Fact:
    """A fact whose key and base are its kind and label."""
    return Fact(key=f"{kind}:{label}", label=label, pos=pos, base=f"{kind}:{label}")
