"""Every numeric fact of a text: dates, times, frequencies, vital signs, quantities."""

from __future__ import annotations

import re
from collections.abc import Callable

from daemon.rewrite.facts.dates import DATE_TIME_PASSES
from daemon.rewrite.facts.fact import Fact
from daemon.rewrite.facts.frequencies import FREQUENCY_PASSES
from daemon.rewrite.facts.passes import Maker
from daemon.rewrite.facts.quantities import QUANTITY_PASSES
from daemon.rewrite.facts.vitals import VITAL_PASSES

# Order matters: a date or a time is not a quantity, nor "q6h" an hour count.
_PASSES = (*DATE_TIME_PASSES, *FREQUENCY_PASSES, *VITAL_PASSES, *QUANTITY_PASSES)


def numeric_facts(text: str) -> list[Fact]:
    """Apply each pass in turn; what a pass matched is blanked for the next."""
    facts: list[Fact] = []

    def take(maker: Maker) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found = maker(match)
            if found is None:
                return match[0]
            facts.extend(found)
            return " " * len(match[0])

        return replace

    for pattern, maker in _PASSES:
        text = pattern.sub(take(maker), text)
    return facts
