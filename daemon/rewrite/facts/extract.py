"""All the clinical facts one text states."""

from __future__ import annotations

from daemon.rewrite.facts.fact import Fact
from daemon.rewrite.facts.laterality import laterality_facts
from daemon.rewrite.facts.medications import medication_facts
from daemon.rewrite.facts.negation import negation_facts
from daemon.rewrite.facts.normalise import normalise
from daemon.rewrite.facts.numbers import numeric_facts
from daemon.rewrite.facts.tokens import tokenise


def extract_facts(text: str) -> list[Fact]:
    """The facts of `text`: numeric ones first, then negations, sides and drugs."""
    text = normalise(text)
    tokens = tokenise(text)
    return [
        *numeric_facts(text),
        *negation_facts(tokens),
        *laterality_facts(tokens),
        *medication_facts(tokens),
    ]
