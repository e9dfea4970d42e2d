"""Medication names, by list and by the suffixes of drug classes."""

from __future__ import annotations

from daemon.rewrite.facts.fact import Fact
from daemon.rewrite.facts.lexicon import DRUG_SUFFIXES, DRUGS, NOT_DRUGS
from daemon.rewrite.facts.tokens import Token


def is_drug(word: str) -> bool:
    """Whether the lower-case `word` names a medication."""
    if word in DRUGS:
        return True
    if len(word) < 6 or word in NOT_DRUGS:
        return False
    return word.endswith(DRUG_SUFFIXES) or (word.startswith("cef") and len(word) > 7)


def medication_facts(tokens: list[Token]) -> list[Fact]:
    """One fact per medication named."""
    return [
        Fact(key=f"med:{t.low}", label=t.low, pos=t.pos, base=f"med:{t.low}", unique=True)
        for t in tokens
        if t.low.isalpha() and is_drug(t.low)
    ]
