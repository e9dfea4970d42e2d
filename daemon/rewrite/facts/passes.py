"""A numeric pass: a pattern and the maker that turns each of its matches into facts."""

from __future__ import annotations

import re
from collections.abc import Callable

from daemon.rewrite.facts.fact import Fact, simple_fact

# A maker turns one match into facts, or into None to leave the text to later passes.
Maker = Callable[[re.Match[str]], list[Fact] | None]
Pass = tuple[re.Pattern[str], Maker]


def rx(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled as every pass compiles it: case-insensitive."""
    return re.compile(pattern, re.IGNORECASE)


def one(fact: Fact | None) -> list[Fact] | None:
    """A maker's result for at most one fact."""
    return None if fact is None else [fact]


def fixed(kind: str, label: str) -> Maker:
    """A maker that states the same fact for every match."""
    return lambda m: [simple_fact(kind, label, m.start())]
