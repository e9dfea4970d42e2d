"""Vital signs named by their label ("HR 72", "sats 95"), whose unit a writer may leave out."""

from __future__ import annotations

import re

from daemon.clinical.units import UNIT_AHEAD_RE
from daemon.rewrite.facts.fact import Fact
from daemon.rewrite.facts.passes import Maker, Pass, rx
from daemon.rewrite.facts.quantities import number, quantity, temperature

_CONNECT = (
    r"[\s:=,]*(?:(?:is|was|were|of|at|now|measured|recorded|reading|noted|to|be|been"
    r"|around|about|approximately|approx)\b[\s:=,]*){0,4}"
)
_VALUE = r"(\d+(?:\.\d+)?)"
_TEMP_UNIT = (
    r"°\s*[cf]|°|deg(?:rees?)?\s*(?:c|f|celsius|fahrenheit|centigrade)?"
    r"|celsius|fahrenheit|centigrade|[cf]"
)


def _unit_follows(m: re.Match[str]) -> bool:
    """ "Fever of 3 days": a unit after a vital sign's value makes it something else."""
    return UNIT_AHEAD_RE.match(m.string, m.end()) is not None


def _labelled(unit: str) -> Maker:
    return lambda m: None if _unit_follows(m) else [quantity(number(m[1]), unit, m.start())]


def _labelled_temperature(m: re.Match[str]) -> list[Fact] | None:
    return None if _unit_follows(m) else [temperature(m[1], m[2], m.start())]


VITAL_PASSES: tuple[Pass, ...] = (
    (
        rx(
            r"\b(?:spo2|sao2|o2\s*sat(?:uration)?s?|oxygen\s+sat(?:uration)?s?|sats?|saturations?"
            rf"|saturating|pulse\s*ox(?:imetry)?){_CONNECT}{_VALUE}\s*(?:%|percent|per\s+cent)?"
        ),
        _labelled("%"),
    ),
    (
        rx(
            r"\b(?:rr|resp(?:iratory)?\s+rate|resps?|respirations?|breathing\s+rate)"
            rf"{_CONNECT}{_VALUE}(?:\s*(?:breaths\s*(?:per|/|a)\s*min(?:ute)?|/\s*min|bpm))?"
        ),
        _labelled("breaths/min"),
    ),
    (
        rx(
            r"(?<!\d)(?<!\d[^\S\n])\b(?:hr|heart\s+rate|pulse(?:\s+rate)?|ventricular\s+rate)"
            rf"{_CONNECT}{_VALUE}(?:\s*(?:bpm|beats\s*(?:per|/|a)\s*min(?:ute)?|/\s*min))?"
        ),
        _labelled("bpm"),
    ),
    (
        rx(
            r"\b(?:temp(?:erature)?|tmax|t\s+max|febrile\s+to|fever\s+(?:of|to)|pyrexia\s+of)"
            rf"{_CONNECT}{_VALUE}\s*({_TEMP_UNIT})?(?![a-z])"
        ),
        _labelled_temperature,
    ),
)
