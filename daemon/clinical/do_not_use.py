"""The Joint Commission's "Do Not Use" list: abbreviations and dose notations that get misread.

They are flagged, never changed: which word was meant ("MS": morphine or
magnesium sulfate?) is the writer's to say. The list is the Joint
Commission's official one (National Patient Safety Goals, information
management standard IM.02.02.01), which US hospitals must follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from daemon.clinical.units import UNITS

# Units a dose is given in: a trailing zero is allowed elsewhere ("Temp 37.0", "lesion 2.0 cm").
_DOSE_UNITS = frozenset(
    {"mg", "mcg", "ng", "g", "mL", "µL", "L", "unit", "IU", "mmol", "mEq"}
    | {"tablet", "capsule", "puff", "drop", "spray", "patch", "dose"}
)
_DOSE = "|".join(
    re.escape(spelling).replace(r"\ ", r"\s+")
    for unit in UNITS
    if unit.name in _DOSE_UNITS
    for spelling in sorted(unit.spellings, key=len, reverse=True)
)


@dataclass(frozen=True)
class DoNotUse:
    """One flagged notation: its code, the text as written, where it is, and what to write."""

    code: str
    text: str
    start: int
    message: str

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of one entry of the API's `warnings` field."""
        return {"code": self.code, "text": self.text, "start": self.start, "message": self.message}


@dataclass(frozen=True)
class _Rule:
    code: str
    pattern: re.Pattern[str]
    message: Callable[[re.Match[str]], str]


def _fixed(message: str) -> Callable[[re.Match[str]], str]:
    return lambda _: message


def _without_trailing_zero(m: re.Match[str]) -> str:
    fixed = m[0].replace(m["zero"], "", 1)
    return (
        f'Write "{fixed}": a trailing zero hides the decimal point, so "{m[0]}" is misread'
        " as a dose ten times larger."
    )


def _with_leading_zero(m: re.Match[str]) -> str:
    return (
        f'Write "0{m[0]}": without a leading zero the decimal point is missed, so "{m[0]}"'
        " is misread as a dose ten times larger."
    )


_RULES = (
    _Rule(
        "unit-u",
        re.compile(r"(?<=\d)\s?[Uu](?![\w/])"),
        _fixed('Write "units": "U" is misread as 0, 4 or "cc".'),
    ),
    _Rule(
        "iu",
        re.compile(r"(?<![\w.])(?:I\.U\.|IU\b)"),
        _fixed('Write "international units": "IU" is misread as IV or 10.'),
    ),
    _Rule(
        "qd",
        re.compile(r"(?<![\w.])(?:q\.\s?d\b\.?|qd\b)", re.IGNORECASE),
        _fixed('Write "daily": "QD" is misread as QID (four times daily).'),
    ),
    _Rule(
        "qod",
        re.compile(r"(?<![\w.])(?:q\.\s?o\.\s?d\b\.?|qod\b)", re.IGNORECASE),
        _fixed('Write "every other day": "QOD" is misread as QD (daily) or QID.'),
    ),
    _Rule(
        "trailing-zero",
        re.compile(rf"(?<![\d.])\d+(?P<zero>\.0+)(?!\d)\s*(?:{_DOSE})(?![a-z])", re.IGNORECASE),
        _without_trailing_zero,
    ),
    _Rule("leading-zero", re.compile(r"(?<![\w.,])\.\d+(?![\d.])"), _with_leading_zero),
    _Rule(
        "mso4",
        re.compile(r"\bMSO4\b", re.IGNORECASE),
        _fixed('Write "morphine sulfate": "MSO4" is confused with magnesium sulfate.'),
    ),
    _Rule(
        "mgso4",
        re.compile(r"\bMgSO4\b", re.IGNORECASE),
        _fixed('Write "magnesium sulfate": "MgSO4" is confused with morphine sulfate.'),
    ),
    _Rule(
        "ms",
        re.compile(r"(?<![\w.])MS\b(?!\.\s?[A-Z])"),
        _fixed('Write "morphine sulfate" or "magnesium sulfate": "MS" can mean either.'),
    ),
)


def flag_do_not_use(text: str) -> tuple[DoNotUse, ...]:
    """Every "Do Not Use" notation in `text`, in reading order."""
    found = [
        DoNotUse(
            rule.code, m[0].strip(), m.start() + (len(m[0]) - len(m[0].lstrip())), rule.message(m)
        )
        for rule in _RULES
        for m in rule.pattern.finditer(text)
    ]
    return tuple(sorted(found, key=lambda flag: flag.start))
