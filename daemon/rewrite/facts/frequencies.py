"""How often a dose is given: "BID", "every 6 hours", "as needed"."""

from __future__ import annotations

import re

from daemon.rewrite.facts.fact import Fact, simple_fact
from daemon.rewrite.facts.passes import Pass, fixed, rx
from daemon.rewrite.facts.quantities import number


def _times_daily(m: re.Match[str]) -> list[Fact] | None:
    count = number(m[1])  # int() refuses more than 4,300 digits
    label = {"1": "daily", "2": "twice daily"}.get(count, f"{count} times daily")
    return [simple_fact("freq", label, m.start())]


def _every_hours(m: re.Match[str]) -> list[Fact] | None:
    span = re.sub(r"\s+", "", m[1] or m[2])
    return [simple_fact("freq", f"every {span} h", m.start())]


FREQUENCY_PASSES: tuple[Pass, ...] = (
    (
        rx(r"\b(\d+)\s*(?:x|times?)\s*(?:daily|(?:a|per|each|every)\s+day|/\s*d(?:ay)?)\b"),
        _times_daily,
    ),
    (
        rx(r"\b(?:b\.?i\.?d|twice\s+daily|twice\s+(?:a|per|each)\s+day)\b\.?"),
        fixed("freq", "twice daily"),
    ),
    (
        rx(r"\b(?:t\.?i\.?d|thrice\s+daily|thrice\s+(?:a|per)\s+day)\b\.?"),
        fixed("freq", "3 times daily"),
    ),
    (rx(r"\bq\.?i\.?d\b\.?"), fixed("freq", "4 times daily")),
    (
        rx(r"\b(?:q\.?o\.?d|every\s+other\s+day|on\s+alternate\s+days)\b\.?"),
        fixed("freq", "every other day"),
    ),
    (
        rx(
            r"\b(?:q\.?d|once\s+daily|once\s+(?:a|per|each)\s+day|every\s+day"
            r"|daily(?!\s+(?:living|life|activit)))\b\.?"
        ),
        fixed("freq", "daily"),
    ),
    (
        rx(
            r"\b(?:q[^\S\n]*(\d+(?:\s*-\s*\d+)?)[^\S\n]*(?:h|hr|hrs|hours?)"
            r"|every\s+(\d+(?:\s*-\s*\d+)?)\s*(?:h|hr|hrs|hours?))\b"
        ),
        _every_hours,
    ),
    (
        rx(r"\b(?:q\.?h\.?s|nightly|at\s+bedtime|before\s+bed(?:time)?|every\s+night)\b\.?"),
        fixed("freq", "at bedtime"),
    ),
    (rx(r"\b(?:q\.?a\.?m|every\s+morning|each\s+morning)\b\.?"), fixed("freq", "every morning")),
    (rx(r"\b(?:q\.?p\.?m|every\s+evening|each\s+evening)\b\.?"), fixed("freq", "every evening")),
    (
        rx(r"\b(?:p\.?r\.?n|as\s+needed|as\s+required|when\s+needed|if\s+needed)\b\.?"),
        fixed("freq", "as needed"),
    ),
    (
        rx(r"\b(?:weekly|once\s+(?:a|per|each)\s+week|every\s+week|q\s?wk|qweek)\b"),
        fixed("freq", "weekly"),
    ),
    (rx(r"\b(?:monthly|once\s+(?:a|per)\s+month|every\s+month)\b"), fixed("freq", "monthly")),
)
