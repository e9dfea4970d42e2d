"""Quantities with units, ratios, ordinals and bare numbers."""

from __future__ import annotations

import re
from decimal import Decimal

from daemon.clinical.units import (
    BY_NAME,
    DENOM_LOOKUP,
    DENOM_PATTERN,
    UNIT_GAP,
    UNIT_LOOKUP,
    UNIT_PATTERN,
    squash,
)
from daemon.rewrite.facts.fact import Fact, simple_fact
from daemon.rewrite.facts.passes import Pass, rx

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
_BEFORE_NUM = r"(?<![a-wyz\d.])"  # "x5 days" yes, "SpO2", "T2DM", "HbA1c" no
_PER = r"(?:/|\bper\b|\ban?\b)"


def number(text: str) -> str:
    """A written number in one spelling: "1,000.50" is "1000.5".

    By hand: Decimal rounds to 28 digits, and int() refuses more than 4,300.
    """
    whole, _, fraction = text.replace(",", "").partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def quantity(value: str, unit: str, pos: int) -> Fact:
    """The fact of `value` in the canonical `unit`."""
    known = BY_NAME.get(unit)  # None for a compound unit such as "mg/kg"
    shown = known.shown(value) if known else unit
    label = f"{value}%" if unit == "%" else f"{value} {shown}"
    base = f"num:{value}" if known and known.soft else f"qty:{value} {unit}"
    return Fact(key=f"qty:{value} {unit}", label=label, pos=pos, base=base)


def temperature(value: str, unit_text: str | None, pos: int) -> Fact:
    """A temperature in whichever scale its unit, or failing that its value, names."""
    scale = re.sub(r"°|degrees?|deg", "", (unit_text or "").lower()).strip()
    degrees = Decimal(value)
    # Without a scale the value tells: 38.5 is Celsius, 101.3 Fahrenheit.
    if scale.startswith("f") or (not scale and 86 <= degrees <= 113):
        unit = "°F"
    elif scale.startswith("c") or (not scale and 30 <= degrees <= 45):
        unit = "°C"
    else:
        unit = "°"
    return quantity(value, unit, pos)


def _ratio(m: re.Match[str]) -> list[Fact] | None:
    return [simple_fact("ratio", f"{number(m[1])}/{number(m[2])}", m.start())]


def _bare_temperature(m: re.Match[str]) -> list[Fact] | None:
    value, scale = Decimal(m[1]), m[2].lower()
    plausible = 25 <= value <= 45 if scale == "c" else 75 <= value <= 115
    return [temperature(m[1], scale, m.start())] if plausible else None


def _measure(m: re.Match[str]) -> list[Fact] | None:
    value = number(m[1])
    parts, facts = [UNIT_LOOKUP[squash(m[2])]], []
    for denominator in (m[3], m[4]):
        if not denominator:
            continue
        per = DENOM_LOOKUP[squash(denominator)]
        if per in ("day", "week"):
            # "500 mg/day" and "500 mg daily" say the same thing.
            facts.append(simple_fact("freq", "daily" if per == "day" else "weekly", m.start()))
        else:
            parts.append(per)
    return [quantity(value, "/".join(parts), m.start()), *facts]


def _ordinal(m: re.Match[str]) -> list[Fact] | None:
    return [simple_fact("ord", f"{number(m[1])}{m[2].lower()}", m.start())]


def _bare(m: re.Match[str]) -> list[Fact] | None:
    value = number(m[0])
    key = f"num:{value}"
    return [Fact(key=key, label=value, pos=m.start(), base=key, bare=True)]


# The bare number comes last: it takes whatever no other pass explained.
QUANTITY_PASSES: tuple[Pass, ...] = (
    (
        rx(
            rf"(?<![\w./:])(\d+(?:\.\d+)?){UNIT_GAP}/{UNIT_GAP}(\d+(?:\.\d+)?)(?![\d/]|\.\d)(?:{UNIT_GAP}mm\s*hg\b)?"
        ),
        _ratio,
    ),
    (rx(rf"{_BEFORE_NUM}(\d{{2,3}}(?:\.\d+)?){UNIT_GAP}([cf])(?![a-z\d])"), _bare_temperature),
    (
        rx(
            rf"{_BEFORE_NUM}({_NUM}){UNIT_GAP}(?:-\s*)?({UNIT_PATTERN})(?![a-z\d])"
            rf"(?:{UNIT_GAP}{_PER}{UNIT_GAP}({DENOM_PATTERN})(?![a-z\d]))?"
            rf"(?:{UNIT_GAP}{_PER}{UNIT_GAP}({DENOM_PATTERN})(?![a-z\d]))?"
        ),
        _measure,
    ),
    (rx(r"(?<![\w.])(\d+)(st|nd|rd|th)\b"), _ordinal),
    (rx(rf"{_BEFORE_NUM}(?:{_NUM})"), _bare),
)
