"""Calendar dates and clock times."""

from __future__ import annotations

import re

from daemon.clinical.units import UNIT_AHEAD
from daemon.rewrite.facts.fact import Fact, simple_fact
from daemon.rewrite.facts.passes import Pass, fixed, one, rx

_MONTHS = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
)
_MONTH_ALIASES = {m: i for i, m in enumerate(_MONTHS, 1)} | {
    m[:3]: i for i, m in enumerate(_MONTHS, 1)
}
_MONTH_ALIASES["sept"] = 9
_MONTH = "|".join(sorted(_MONTH_ALIASES, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _calendar_date(pos: int, month: int, day: int, year: str | None) -> Fact | None:
    if not 1 <= day <= 31:
        return None
    if year:
        return simple_fact("date", f"{int(year):04d}-{month:02d}-{day:02d}", pos)
    name = _MONTHS[month - 1].capitalize()
    return Fact(key=f"date:--{month:02d}-{day:02d}", label=f"{name} {day}", pos=pos)


def _clock(pos: int, hour: int, minute: int, half: str | None) -> Fact | None:
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return simple_fact("time", f"{hour}:{minute:02d}", pos)


def _iso_date(m: re.Match[str]) -> list[Fact] | None:
    month, day = int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return None
    return one(_calendar_date(m.start(), month, day, m[1]))


def _numeric_date(m: re.Match[str]) -> list[Fact] | None:
    # Day/month order is ambiguous, so the order written is kept.
    label = f"{int(m[1])}/{int(m[3])}/{_year(m[4])}"
    return [simple_fact("date", label, m.start())]


def _month_day(m: re.Match[str]) -> list[Fact] | None:
    return one(_calendar_date(m.start(), _MONTH_ALIASES[m[1].lower()], int(m[2]), m[3]))


def _day_month(m: re.Match[str]) -> list[Fact] | None:
    return one(_calendar_date(m.start(), _MONTH_ALIASES[m[2].lower()], int(m[1]), m[3]))


def _month_year(m: re.Match[str]) -> list[Fact] | None:
    month = _MONTH_ALIASES[m[1].lower()]
    return [simple_fact("date", f"{int(m[2]):04d}-{month:02d}", m.start())]


DATE_TIME_PASSES: tuple[Pass, ...] = (
    (rx(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), _iso_date),
    (rx(r"(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)"), _numeric_date),
    (
        rx(rf"\b({_MONTH})\.?[^\S\n]+(\d{{1,2}}){_ORD}\b(?!{UNIT_AHEAD})(?:,?\s+(\d{{4}})\b)?"),
        _month_day,
    ),
    (
        rx(rf"\b(\d{{1,2}}){_ORD}[^\S\n]+(?:of[^\S\n]+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}})\b)?"),
        _day_month,
    ),
    (rx(rf"\b({_MONTH})\.?,?\s+(\d{{4}})\b"), _month_year),
    (
        rx(r"(?<![\d.:])(\d{1,2})(?::(\d{2}))?[^\S\n]*([ap])\.?m\b\.?"),
        lambda m: one(_clock(m.start(), int(m[1]), int(m[2] or 0), m[3])),
    ),
    (
        rx(r"(?<![\d.:])(\d{1,2}):(\d{2})(?::\d{2})?(?![\d:])"),
        lambda m: one(_clock(m.start(), int(m[1]), int(m[2]), None)),
    ),
    (
        rx(r"(?<![\d.])(\d{1,2})[^\S\n]*o'?\s?clock\b"),
        lambda m: one(_clock(m.start(), int(m[1]), 0, None)),
    ),
    (rx(r"\b(?:noon|midday)\b"), fixed("time", "12:00")),
    (rx(r"\bmidnight\b"), fixed("time", "0:00")),
)
