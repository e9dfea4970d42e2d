"""Clinical fidelity guard: the facts a rewrite dropped, added or changed.

Both texts are reduced to short fact strings (quantities with units, dates,
times, dose frequencies, negated words, laterality, medication names) and
compared. Anything the source has and the rewrite lacks is `missing`;
anything the rewrite has and the source lacks is `added`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# --------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class FidelityReport:
    """What a rewrite changed among the clinical facts of its source."""

    ok: bool
    missing: tuple[str, ...]
    added: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the API's `fidelity` field."""
        return {"ok": self.ok, "missing": list(self.missing), "added": list(self.added)}

    def summary(self) -> str:
        """One line for a tray notification."""
        if self.ok:
            return "No clinical facts changed."
        changed, missing, added = _pair_changes(self.missing, self.added)
        parts = []
        if changed:
            parts.append("changed: " + _clip([f"{a} → {b}" for a, b in changed]))
        if missing:
            parts.append("missing: " + _clip(missing))
        if added:
            parts.append("added: " + _clip(added))
        return "Rewrite changed clinical facts; " + "; ".join(parts)


def check_fidelity(source: str, rewrite: str) -> FidelityReport:
    """Compare the clinical facts of `source` and `rewrite`."""
    missing, added = _compare(_facts(source), _facts(rewrite))
    return FidelityReport(
        ok=not missing and not added,
        missing=_labels(missing),
        added=_labels(added),
    )


# --------------------------------------------------------------------------
# Facts and their comparison


@dataclass(frozen=True)
class _Fact:
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


def _compare(src: list[_Fact], out: list[_Fact]) -> tuple[list[_Fact], list[_Fact]]:
    src, out = _dedupe(src), _dedupe(out)
    pool: dict[str, list[_Fact]] = {}
    for fact in out:
        pool.setdefault(fact.key, []).append(fact)
    missing = []
    for fact in src:
        same = pool.get(fact.key)
        if same:
            same.pop(0)
        else:
            missing.append(fact)
    added = sorted((f for facts in pool.values() for f in facts), key=lambda f: f.pos)
    for fact in list(missing):
        for other in added:
            if other.base == fact.base and fact.base and (fact.bare or other.bare):
                missing.remove(fact)
                added.remove(other)
                break
    return missing, added


def _dedupe(facts: list[_Fact]) -> list[_Fact]:
    seen: set[str] = set()
    kept = []
    for fact in facts:
        if fact.unique:
            if fact.key in seen:
                continue
            seen.add(fact.key)
        kept.append(fact)
    return kept


def _labels(facts: list[_Fact]) -> tuple[str, ...]:
    """Readable strings in reading order; words under one negation read together."""
    groups: dict[int, list[_Fact]] = {}
    leaders: list[_Fact] = []
    for fact in facts:
        if fact.group < 0 or fact.group not in groups:
            leaders.append(fact)
        if fact.group >= 0:
            groups.setdefault(fact.group, []).append(fact)
    return tuple(_label(f, groups.get(f.group, [])) for f in sorted(leaders, key=lambda f: f.pos))


def _label(leader: _Fact, members: list[_Fact]) -> str:
    if not members:
        return leader.label
    words = " ".join(f.label for f in members)
    return f"{words} {leader.cue}" if leader.backward else f"{leader.cue} {words}"


def _facts(text: str) -> list[_Fact]:
    text = _normalise(text)
    facts = _numeric_facts(text)
    tokens = _tokens(text)
    facts += _negation_facts(tokens)
    facts += _laterality_facts(tokens)
    facts += _medication_facts(tokens)
    return facts


# --------------------------------------------------------------------------
# Normalisation

_CHAR_MAP = str.maketrans(
    {
        "º": "°",  # NFKC would turn the ordinal indicator into "o"
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "–": "-",
        "‑": "-",
        "—": " ; ",
        "⁄": "/",
        "×": "x",
    }
)

_ABBREVIATIONS = {
    "nkda": "no known drug allergies",
    "nka": "no known allergies",
    "w/o": "without",
    "b/l": "bilateral",
    "bilat": "bilateral",
    "ruq": "right upper quadrant",
    "rlq": "right lower quadrant",
    "luq": "left upper quadrant",
    "llq": "left lower quadrant",
    "rue": "right upper extremity",
    "rle": "right lower extremity",
    "lue": "left upper extremity",
    "lle": "left lower extremity",
    "t1dm": "type 1 diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "dm1": "type 1 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
}
_ABBREVIATION_RE = re.compile(
    r"(?<![\w/])(" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")(?![\w/])",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate(_CHAR_MAP))
    text = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m[1].lower()], text)
    text = _number_words_to_digits(text)
    text = re.sub(r"(\d)\s+point\s+(\d)", r"\1.\2", text, flags=re.IGNORECASE)
    return re.sub(r"(\d)\s+(?:over|out\s+of)\s+(\d)", r"\1/\2", text, flags=re.IGNORECASE)


_SMALL_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SMALL = {w: i for i, w in enumerate(_SMALL_WORDS)}
_TENS = {w: 10 * i for i, w in enumerate(_TENS_WORDS, 2)}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join([*_SMALL, *_TENS, *_SCALES])
_NUMBER_RUN_RE = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}))*\b", re.IGNORECASE
)


def _word_kind(word: str) -> str:
    if word in _SCALES:
        return word
    if word in _TENS:
        return "tens"
    return "small"


def _number_segments(words: list[str]) -> list[tuple[int, int, int]]:
    """Split a run of number words into numbers: (first word, last word, value)."""
    segments: list[tuple[int, int, int]] = []
    start, total, current, last = -1, 0, 0, ""
    for i, word in enumerate(words):
        if word == "and":
            follows = i + 1 < len(words) and _word_kind(words[i + 1]) in ("small", "tens")
            if last in _SCALES and follows:
                continue
            if start >= 0:
                segments.append((start, i - 1, total + current))
            start, total, current, last = -1, 0, 0, ""
            continue
        kind = _word_kind(word)
        extends = start >= 0 and (
            (kind == "small" and last in ("tens", *_SCALES) and _SMALL[word] < 10)
            or (kind == "small" and last in _SCALES)
            or (kind == "tens" and last in _SCALES)
            or (kind == "hundred" and last in ("small", "tens") and 0 < current < 100)
            or (kind == "thousand" and last in ("small", "tens", "hundred") and current > 0)
        )
        if not extends:
            if start >= 0:
                segments.append((start, i - 1, total + current))
            start, total, current = i, 0, 0
        if kind == "small":
            current += _SMALL[word]
        elif kind == "tens":
            current += _TENS[word]
        elif kind == "hundred":
            current = (current or 1) * 100
        else:
            total, current = total + (current or 1) * 1000, 0
        last = kind
    if start >= 0:
        segments.append((start, len(words) - 1, total + current))
    return segments


def _number_words_to_digits(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match[0]
        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z]+", run, re.IGNORECASE)]
        words = [run[a:b].lower() for a, b in spans]
        out, cursor = [], 0
        for first, last, value in _number_segments(words):
            a, b = spans[first][0], spans[last][1]
            # A lone "one" is mostly "no one", "one of": only a dose counts.
            if words[first : last + 1] == ["one"] and not _UNIT_AHEAD_RE.match(
                text, match.start() + b
            ):
                continue
            out += [run[cursor:a], str(value)]
            cursor = b
        out.append(run[cursor:])
        return "".join(out)

    return _NUMBER_RUN_RE.sub(replace, text)


# --------------------------------------------------------------------------
# Numbers: dates, times, frequencies, vitals, quantities

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
_BEFORE_NUM = r"(?<![a-wyz\d.])"  # "x5 days" yes, "SpO2", "T2DM", "HbA1c" no

_UNITS: dict[str, tuple[str, ...]] = {
    "mg": ("mg", "mgs", "milligram", "milligrams", "milligramme", "milligrammes"),
    "mcg": ("mcg", "mcgs", "μg", "ug", "microgram", "micrograms", "microgramme"),
    "ng": ("ng", "nanogram", "nanograms"),
    "g": ("g", "gm", "gms", "gram", "grams", "gramme", "grammes"),
    "kg": ("kg", "kgs", "kilogram", "kilograms", "kilo", "kilos"),
    "mL": ("ml", "mls", "milliliter", "milliliters", "millilitre", "millilitres", "cc", "ccs"),
    "µL": ("μl", "ul", "microliter", "microliters", "microlitre", "microlitres"),
    "L": ("l", "liter", "liters", "litre", "litres"),
    "dL": ("dl", "deciliter", "deciliters", "decilitre", "decilitres"),
    "units": ("u", "unit", "units"),
    "IU": ("iu", "ius", "international unit", "international units"),
    "mmol": ("mmol", "millimole", "millimoles"),
    "mEq": ("meq", "milliequivalent", "milliequivalents"),
    "mmHg": ("mmhg", "mm hg", "millimeters of mercury"),
    "%": ("%", "percent", "per cent", "pct"),
    "°C": ("°c", "° c", "deg c", "degree c", "degrees c", "degrees celsius", "celsius"),
    "°F": ("°f", "° f", "deg f", "degree f", "degrees f", "degrees fahrenheit", "fahrenheit"),
    "°": ("°", "deg", "degree", "degrees"),
    "bpm": ("bpm", "beats per minute", "beats per min", "beats/min", "beats a minute"),
    "breaths/min": ("breaths per minute", "breaths per min", "breaths/min", "breaths a minute"),
    "cm": ("cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    "mm": ("mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    "in": ("inch", "inches"),
    "ft": ("ft", "feet"),
    "lb": ("lb", "lbs", "pound", "pounds"),
    "oz": ("oz", "ounce", "ounces"),
    "tablet": ("tab", "tabs", "tablet", "tablets", "pill", "pills"),
    "capsule": ("cap", "caps", "capsule", "capsules"),
    "puff": ("puff", "puffs"),
    "drop": ("drop", "drops", "gtt", "gtts"),
    "spray": ("spray", "sprays"),
    "patch": ("patch", "patches"),
    "dose": ("dose", "doses"),
    "s": ("sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "day": ("d", "day", "days"),
    "week": ("wk", "wks", "week", "weeks"),
    "month": ("mo", "mos", "month", "months"),
    "year": (
        *("y", "yr", "yrs", "year", "years", "yo", "y/o", "y.o", "y.o."),
        *("year old", "years old", "year-old", "years-old"),
    ),
}
_DENOMINATORS: dict[str, tuple[str, ...]] = {
    "kg": ("kg",),
    "min": ("min", "minute"),
    "h": ("h", "hr", "hour"),
    "day": ("d", "day"),
    "week": ("wk", "week"),
    "dL": ("dl",),
    "L": ("l", "liter", "litre"),
    "mL": ("ml",),
    "m²": ("m2",),
    "dose": ("dose",),
    "mol": ("mol",),
}
# Values a reader adds or leaves out around a bare number ("HR 72" / "72 bpm").
_SOFT_UNITS = frozenset({"bpm", "breaths/min", "%", "mmHg", "°C", "°F", "°"})
_PLURALS = {
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "tablet": "tablets",
    "capsule": "capsules",
    "puff": "puffs",
    "drop": "drops",
    "spray": "sprays",
    "patch": "patches",
    "dose": "doses",
}


def _squash(text: str) -> str:
    text = re.sub(r"\s*/\s*", "/", text.lower())
    return re.sub(r"[\s-]+", " ", text)


def _alias_table(table: dict[str, tuple[str, ...]]) -> tuple[str, dict[str, str]]:
    lookup = {_squash(alias): canon for canon, aliases in table.items() for alias in aliases}
    patterns = [
        re.escape(alias).replace(r"\ ", r"\s+").replace(r"\-", r"[\s-]").replace("/", r"\s*/\s*")
        for alias in sorted(lookup, key=len, reverse=True)
    ]
    return "|".join(patterns), lookup


_UNIT_PATTERN, _UNIT_LOOKUP = _alias_table(_UNITS)
_DENOM_PATTERN, _DENOM_LOOKUP = _alias_table(_DENOMINATORS)
_UNIT_AHEAD = rf"\s*(?:-\s*)?(?:{_UNIT_PATTERN})(?![a-z\d])"
_UNIT_AHEAD_RE = re.compile(_UNIT_AHEAD, re.IGNORECASE)

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
_CONNECT = (
    r"[\s:=,]*(?:(?:is|was|were|of|at|now|measured|recorded|reading|noted|to|be|been"
    r"|around|about|approximately|approx)\b[\s:=,]*){0,4}"
)
_VALUE = r"(\d+(?:\.\d+)?)"
_TEMP_UNIT = (
    r"°\s*[cf]|°|deg(?:rees?)?\s*(?:c|f|celsius|fahrenheit|centigrade)?"
    r"|celsius|fahrenheit|centigrade|[cf]"
)


def _number(text: str) -> str:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    return format(value.normalize(), "f")


def _quantity(value: str, unit: str, pos: int) -> _Fact:
    shown = _PLURALS[unit] if unit in _PLURALS and value != "1" else unit
    label = f"{value}%" if unit == "%" else f"{value} {shown}"
    base = f"num:{value}" if unit in _SOFT_UNITS else f"qty:{value} {unit}"
    return _Fact(key=f"qty:{value} {unit}", label=label, pos=pos, base=base)


def _temperature(value: str, unit_text: str | None, pos: int) -> _Fact:
    scale = re.sub(r"°|degrees?|deg", "", (unit_text or "").lower()).strip()
    number = Decimal(value)
    # Without a scale the value tells: 38.5 is Celsius, 101.3 Fahrenheit.
    if scale.startswith("f") or (not scale and 86 <= number <= 113):
        unit = "°F"
    elif scale.startswith("c") or (not scale and 30 <= number <= 45):
        unit = "°C"
    else:
        unit = "°"
    return _quantity(value, unit, pos)


def _simple(kind: str, label: str, pos: int) -> _Fact:
    return _Fact(key=f"{kind}:{label}", label=label, pos=pos, base=f"{kind}:{label}")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _calendar_date(pos: int, month: int, day: int, year: str | None) -> _Fact | None:
    if not 1 <= day <= 31:
        return None
    if year:
        return _simple("date", f"{int(year):04d}-{month:02d}-{day:02d}", pos)
    name = _MONTHS[month - 1].capitalize()
    return _Fact(key=f"date:--{month:02d}-{day:02d}", label=f"{name} {day}", pos=pos)


def _clock(pos: int, hour: int, minute: int, half: str | None) -> _Fact | None:
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return _simple("time", f"{hour}:{minute:02d}", pos)


# A maker turns one match into facts, or into None to leave the text to later passes.
_Maker = Callable[[re.Match[str]], list[_Fact] | None]


def _one(fact: _Fact | None) -> list[_Fact] | None:
    return None if fact is None else [fact]


def _iso_date(m: re.Match[str]) -> list[_Fact] | None:
    month, day = int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return None
    return _one(_calendar_date(m.start(), month, day, m[1]))


def _numeric_date(m: re.Match[str]) -> list[_Fact] | None:
    # Day/month order is ambiguous, so the order written is kept.
    label = f"{int(m[1])}/{int(m[3])}/{_year(m[4])}"
    return [_simple("date", label, m.start())]


def _month_day(m: re.Match[str]) -> list[_Fact] | None:
    return _one(_calendar_date(m.start(), _MONTH_ALIASES[m[1].lower()], int(m[2]), m[3]))


def _day_month(m: re.Match[str]) -> list[_Fact] | None:
    return _one(_calendar_date(m.start(), _MONTH_ALIASES[m[2].lower()], int(m[1]), m[3]))


def _month_year(m: re.Match[str]) -> list[_Fact] | None:
    month = _MONTH_ALIASES[m[1].lower()]
    return [_simple("date", f"{int(m[2]):04d}-{month:02d}", m.start())]


def _times_daily(m: re.Match[str]) -> list[_Fact] | None:
    count = int(m[1])
    label = {1: "daily", 2: "twice daily"}.get(count, f"{count} times daily")
    return [_simple("freq", label, m.start())]


def _every_hours(m: re.Match[str]) -> list[_Fact] | None:
    span = re.sub(r"\s+", "", m[1] or m[2])
    return [_simple("freq", f"every {span} h", m.start())]


def _fixed(kind: str, label: str) -> _Maker:
    return lambda m: [_simple(kind, label, m.start())]


def _unit_follows(m: re.Match[str]) -> bool:
    """ "Fever of 3 days": a unit after a vital sign's value makes it something else."""
    return _UNIT_AHEAD_RE.match(m.string, m.end()) is not None


def _labelled(unit: str) -> _Maker:
    return lambda m: None if _unit_follows(m) else [_quantity(_number(m[1]), unit, m.start())]


def _labelled_temperature(m: re.Match[str]) -> list[_Fact] | None:
    return None if _unit_follows(m) else [_temperature(m[1], m[2], m.start())]


def _ratio(m: re.Match[str]) -> list[_Fact] | None:
    return [_simple("ratio", f"{_number(m[1])}/{_number(m[2])}", m.start())]


def _bare_temperature(m: re.Match[str]) -> list[_Fact] | None:
    value, scale = Decimal(m[1]), m[2].lower()
    plausible = 25 <= value <= 45 if scale == "c" else 75 <= value <= 115
    return [_temperature(m[1], scale, m.start())] if plausible else None


def _measure(m: re.Match[str]) -> list[_Fact] | None:
    value = _number(m[1])
    parts, facts = [_UNIT_LOOKUP[_squash(m[2])]], []
    for denominator in (m[3], m[4]):
        if not denominator:
            continue
        per = _DENOM_LOOKUP[_squash(denominator)]
        if per in ("day", "week"):
            # "500 mg/day" and "500 mg daily" say the same thing.
            facts.append(_simple("freq", "daily" if per == "day" else "weekly", m.start()))
        else:
            parts.append(per)
    return [_quantity(value, "/".join(parts), m.start()), *facts]


def _ordinal(m: re.Match[str]) -> list[_Fact] | None:
    return [_simple("ord", f"{int(m[1])}{m[2].lower()}", m.start())]


def _bare(m: re.Match[str]) -> list[_Fact] | None:
    value = _number(m[0])
    key = f"num:{value}"
    return [_Fact(key=key, label=value, pos=m.start(), base=key, bare=True)]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_PER = r"(?:/|\bper\b|\ban?\b)"
_NUMERIC_PASSES: tuple[tuple[re.Pattern[str], _Maker], ...] = (
    (_rx(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), _iso_date),
    (_rx(r"(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)"), _numeric_date),
    (
        _rx(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD}\b(?!{_UNIT_AHEAD})(?:,?\s+(\d{{4}})\b)?"),
        _month_day,
    ),
    (_rx(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}})\b)?"), _day_month),
    (_rx(rf"\b({_MONTH})\.?,?\s+(\d{{4}})\b"), _month_year),
    (
        _rx(r"(?<![\d.:])(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\b\.?"),
        lambda m: _one(_clock(m.start(), int(m[1]), int(m[2] or 0), m[3])),
    ),
    (
        _rx(r"(?<![\d.:])(\d{1,2}):(\d{2})(?::\d{2})?(?![\d:])"),
        lambda m: _one(_clock(m.start(), int(m[1]), int(m[2]), None)),
    ),
    (
        _rx(r"(?<![\d.])(\d{1,2})\s*o'?\s?clock\b"),
        lambda m: _one(_clock(m.start(), int(m[1]), 0, None)),
    ),
    (_rx(r"\b(?:noon|midday)\b"), _fixed("time", "12:00")),
    (_rx(r"\bmidnight\b"), _fixed("time", "0:00")),
    (
        _rx(r"\b(\d+)\s*(?:x|times?)\s*(?:daily|(?:a|per|each|every)\s+day|/\s*d(?:ay)?)\b"),
        _times_daily,
    ),
    (
        _rx(r"\b(?:b\.?i\.?d|twice\s+daily|twice\s+(?:a|per|each)\s+day)\b\.?"),
        _fixed("freq", "twice daily"),
    ),
    (
        _rx(r"\b(?:t\.?i\.?d|thrice\s+daily|thrice\s+(?:a|per)\s+day)\b\.?"),
        _fixed("freq", "3 times daily"),
    ),
    (_rx(r"\bq\.?i\.?d\b\.?"), _fixed("freq", "4 times daily")),
    (
        _rx(r"\b(?:q\.?o\.?d|every\s+other\s+day|on\s+alternate\s+days)\b\.?"),
        _fixed("freq", "every other day"),
    ),
    (
        _rx(
            r"\b(?:q\.?d|once\s+daily|once\s+(?:a|per|each)\s+day|every\s+day"
            r"|daily(?!\s+(?:living|life|activit)))\b\.?"
        ),
        _fixed("freq", "daily"),
    ),
    (
        _rx(
            r"\b(?:q\s?(\d+(?:\s*-\s*\d+)?)\s?(?:h|hr|hrs|hours?)"
            r"|every\s+(\d+(?:\s*-\s*\d+)?)\s*(?:h|hr|hrs|hours?))\b"
        ),
        _every_hours,
    ),
    (
        _rx(r"\b(?:q\.?h\.?s|nightly|at\s+bedtime|before\s+bed(?:time)?|every\s+night)\b\.?"),
        _fixed("freq", "at bedtime"),
    ),
    (_rx(r"\b(?:q\.?a\.?m|every\s+morning|each\s+morning)\b\.?"), _fixed("freq", "every morning")),
    (_rx(r"\b(?:q\.?p\.?m|every\s+evening|each\s+evening)\b\.?"), _fixed("freq", "every evening")),
    (
        _rx(r"\b(?:p\.?r\.?n|as\s+needed|as\s+required|when\s+needed|if\s+needed)\b\.?"),
        _fixed("freq", "as needed"),
    ),
    (
        _rx(r"\b(?:weekly|once\s+(?:a|per|each)\s+week|every\s+week|q\s?wk|qweek)\b"),
        _fixed("freq", "weekly"),
    ),
    (_rx(r"\b(?:monthly|once\s+(?:a|per)\s+month|every\s+month)\b"), _fixed("freq", "monthly")),
    (
        _rx(
            r"\b(?:spo2|sao2|o2\s*sat(?:uration)?s?|oxygen\s+sat(?:uration)?s?|sats?|saturations?"
            rf"|saturating|pulse\s*ox(?:imetry)?){_CONNECT}{_VALUE}\s*(?:%|percent|per\s+cent)?"
        ),
        _labelled("%"),
    ),
    (
        _rx(
            r"\b(?:rr|resp(?:iratory)?\s+rate|resps?|respirations?|breathing\s+rate)"
            rf"{_CONNECT}{_VALUE}(?:\s*(?:breaths\s*(?:per|/|a)\s*min(?:ute)?|/\s*min|bpm))?"
        ),
        _labelled("breaths/min"),
    ),
    (
        _rx(
            r"(?<!\d)(?<!\d\s)\b(?:hr|heart\s+rate|pulse(?:\s+rate)?|ventricular\s+rate)"
            rf"{_CONNECT}{_VALUE}(?:\s*(?:bpm|beats\s*(?:per|/|a)\s*min(?:ute)?|/\s*min))?"
        ),
        _labelled("bpm"),
    ),
    (
        _rx(
            r"\b(?:temp(?:erature)?|tmax|t\s+max|febrile\s+to|fever\s+(?:of|to)|pyrexia\s+of)"
            rf"{_CONNECT}{_VALUE}\s*({_TEMP_UNIT})?(?![a-z])"
        ),
        _labelled_temperature,
    ),
    (
        _rx(r"(?<![\w./:])(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)(?![\d/]|\.\d)(?:\s*mm\s*hg\b)?"),
        _ratio,
    ),
    (_rx(rf"{_BEFORE_NUM}(\d{{2,3}}(?:\.\d+)?)\s*([cf])(?![a-z\d])"), _bare_temperature),
    (
        _rx(
            rf"{_BEFORE_NUM}({_NUM})\s*(?:-\s*)?({_UNIT_PATTERN})(?![a-z\d])"
            rf"(?:\s*{_PER}\s*({_DENOM_PATTERN})(?![a-z\d]))?"
            rf"(?:\s*{_PER}\s*({_DENOM_PATTERN})(?![a-z\d]))?"
        ),
        _measure,
    ),
    (_rx(r"(?<![\w.])(\d+)(st|nd|rd|th)\b"), _ordinal),
    (_rx(rf"{_BEFORE_NUM}(?:{_NUM})"), _bare),
)


def _numeric_facts(text: str) -> list[_Fact]:
    """Apply each pass in turn; what a pass matched is blanked for the next."""
    facts: list[_Fact] = []

    def take(maker: _Maker) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found = maker(match)
            if found is None:
                return match[0]
            facts.extend(found)
            return " " * len(match[0])

        return replace

    for pattern, maker in _NUMERIC_PASSES:
        text = pattern.sub(take(maker), text)
    return facts


# --------------------------------------------------------------------------
# Words: negation, laterality, medications


@dataclass(frozen=True)
class _Token:
    text: str
    low: str
    pos: int


_TOKEN_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:\.\d+)?|[.;:!?()\[\]\n]|[,/-]")
_BOUNDARY = frozenset(".;:!?()[]\n")


def _tokens(text: str) -> list[_Token]:
    return [_Token(m[0], m[0].lower(), m.start()) for m in _TOKEN_RE.finditer(text)]


def _stem(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxh":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FORWARD_CUES = _words(
    "no not denies denied deny denying without never neither cannot absence lacks"
    " dont doesnt didnt isnt wasnt arent werent cant wont hasnt havent hadnt"
)
_EITHER_WAY_CUES = _words("negative neg absent none")
# Words that end a negation's reach once it has taken a word.
_TERMINATORS = _words(
    "but however although though except yet whereas while which who whose that because since"
    " as after before when until unless apart aside with reports reported report complains"
    " complained endorses endorsed states stated notes noted has have had is are was were"
    " presents presented admits admitted describes remains continues started starts takes"
    " took appears shows feels felt developed develops in on at over under near within into"
    " around throughout during to for taking using started starting stopped stopping given"
    " giving receiving received scheduled plan planned will would should may might can could"
    " need needs needed"
)
# Words a negation passes over without taking them as its object.
_FILLERS = _words(
    "a an the any of or and nor to for in on at by from his her their its my your our he she"
    " they it i we you patient pt known history hx evidence sign signs symptom symptoms"
    " complaint complaints further significant obvious apparent acute new recent current"
    " currently prior previous other associated similar such clear clinical have has had"
    " having be been being is are was were do does did report reports reported complain"
    " complains complained endorse endorses endorsed experience experiences experienced"
    " experiencing feel feels feeling felt show shows showed demonstrate demonstrates appear"
    " appears seem seems take takes taking took use uses using longer more also again ever"
    " seen identified found present there this these those very much all just only both"
    " either one"
)
# Words that never name the thing negated or the part on a side.
_NOT_OBJECTS = _FILLERS | _TERMINATORS | _words("with without")
_NEGATION_REACH = 6
_BACKWARD_REACH = 3


def _is_cue(token: _Token) -> bool:
    return token.low in _FORWARD_CUES or token.low in _EITHER_WAY_CUES or token.low.endswith("n't")


def _content(token: _Token) -> bool:
    return token.low.isalpha() or "'" in token.low


def _forward_scope(tokens: list[_Token], start: int) -> list[_Token]:
    if start < len(tokens) and tokens[start].low == ",":
        return []
    taken: list[_Token] = []
    after_comma = False
    for j in range(start, len(tokens)):
        token = tokens[j]
        if token.low in _BOUNDARY or _is_cue(token) or len(taken) >= _NEGATION_REACH:
            break
        if token.low[0].isdigit():
            # "denies chest pain, BP 140/90": a listed word right before a value labels it.
            if after_comma and taken and taken[-1] is tokens[j - 1]:
                taken.pop()
            break
        if token.low == ",":
            after_comma = True
            continue
        if token.low in _TERMINATORS:
            if taken:
                break
            continue
        if _content(token) and token.low not in _FILLERS and len(token.low) > 1:
            taken.append(token)
    return taken


def _backward_scope(tokens: list[_Token], end: int) -> list[_Token]:
    taken: list[_Token] = []
    for token in reversed(tokens[:end]):
        if token.low in _BOUNDARY - {":"} or _is_cue(token) or len(taken) >= _BACKWARD_REACH:
            break
        if token.low in _TERMINATORS - _FILLERS:
            break
        if _content(token) and token.low not in _FILLERS and len(token.low) > 1:
            taken.append(token)
    return taken[::-1]


def _negation_facts(tokens: list[_Token]) -> list[_Fact]:
    facts: list[_Fact] = []
    for i, token in enumerate(tokens):
        ruled_out = token.low == "ruled" and i + 1 < len(tokens) and tokens[i + 1].low == "out"
        if not _is_cue(token) and not ruled_out:
            continue
        after = i + 2 if ruled_out else i + 1
        cue = "ruled out" if ruled_out else token.low
        if ruled_out or token.low in _EITHER_WAY_CUES:
            # "negative for X", "absent pulses" look ahead; "CT negative",
            # "pulses absent in the foot" look back.
            nxt = tokens[after] if after < len(tokens) else None
            ahead = nxt is not None and (
                nxt.low in ("for", "of")
                or (_content(nxt) and len(nxt.low) > 1 and nxt.low not in _NOT_OBJECTS)
            )
            if ahead:
                scope, backward = _forward_scope(tokens, after), False
            else:
                scope, backward = _backward_scope(tokens, i), True
        else:
            scope, backward = _forward_scope(tokens, after), False
        for word in scope:
            facts.append(
                _Fact(
                    key=f"neg:{_stem(word.low)}",
                    label=word.low,
                    pos=token.pos,
                    unique=True,
                    group=i,
                    cue=cue,
                    backward=backward,
                )
            )
    return facts


_SIDES = {"left": "left", "right": "right", "bilateral": "bilateral", "bilaterally": "bilateral"}
_SIDE_SKIP = _words("- sided side sides")
# "left the hospital", "right away": the verb and the adverb, not a side.
_LEFT_NOT_SIDE_NEXT = _words(
    "the a an his her their its my our your home work school against early without after before"
    " at for in on to with by from ama hospital message voicemail alone behind it them him me us"
)
_RIGHT_NOT_SIDE_NEXT = _words("away now then after before here there when as")
_LEFT_NOT_SIDE_PREV = _words("he she they i we you who patient pt nothing anything")
_RIGHT_NOT_SIDE_PREV = _words("all that's that not just exactly is was")
# "be right back", "came right over": the adverb even before a body part.
_RIGHT_ADVERB_PREV = _words("be come came comes coming go goes going went get gets got call called")
_BODY_PARTS = _words(
    "arm leg knee hip shoulder elbow wrist hand foot feet ankle eye ear lung kidney breast chest"
    " flank groin thigh calf shin toe finger thumb upper lower side sided heel buttock temple"
    " cheek jaw neck back ovary testicle limb extremity pupil tonsil"
)


def _single_letter_side(tokens: list[_Token], i: int) -> str | None:
    token = tokens[i]
    if token.text not in ("L", "R"):
        return None
    side = "left" if token.text == "L" else "right"
    nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].low if i > 0 else ""
    if prev == "(" and nxt == ")":
        return side
    if nxt == "-":
        nxt = tokens[i + 2].low if i + 2 < len(tokens) else ""
    return side if _stem(nxt) in _BODY_PARTS else None


def _side_target(tokens: list[_Token], start: int) -> str | None:
    for token in tokens[start:]:
        if token.low in _SIDE_SKIP:
            continue
        if _content(token) and token.low not in _NOT_OBJECTS:
            return _stem(token.low)
        return None
    return None


def _side_word_is_verb_or_idiom(word: str, prev: str, nxt: str) -> bool:
    if word == "right" and prev in _RIGHT_ADVERB_PREV:
        return True
    if nxt in _SIDE_SKIP or _stem(nxt) in _BODY_PARTS:
        return False
    if word == "left":
        return nxt in _LEFT_NOT_SIDE_NEXT or prev in _LEFT_NOT_SIDE_PREV
    if word == "right":
        return nxt in _RIGHT_NOT_SIDE_NEXT or prev in _RIGHT_NOT_SIDE_PREV
    return False


def _laterality_facts(tokens: list[_Token]) -> list[_Fact]:
    facts = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
        prev = tokens[i - 1].low if i > 0 else ""
        side = _SIDES.get(token.low)
        if side and _side_word_is_verb_or_idiom(token.low, prev, nxt):
            side = None
        if token.low == "both" and _stem(nxt) in _BODY_PARTS:
            side = "bilateral"
        side = side or _single_letter_side(tokens, i)
        if side is None:
            continue
        target = _side_target(tokens, i + 1)
        label = f"{side} {target}" if target else side
        facts.append(
            _Fact(
                key=f"side:{label}",
                label=label,
                pos=token.pos,
                base=f"side:{side}",
                bare=target is None,
                unique=True,
            )
        )
    return facts


_DRUGS = _words(
    # generic names the suffix rules below miss
    "aspirin paracetamol acetaminophen ibuprofen naproxen warfarin heparin insulin metformin"
    " levothyroxine furosemide bumetanide torsemide hydrochlorothiazide chlorthalidone"
    " spironolactone eplerenone amoxicillin doxycycline penicillin vancomycin ceftriaxone"
    " cephalexin cefazolin clindamycin nitrofurantoin trimethoprim sulfamethoxazole gabapentin"
    " pregabalin sertraline fluoxetine paroxetine citalopram escitalopram venlafaxine"
    " duloxetine bupropion mirtazapine lithium morphine codeine tramadol fentanyl"
    " buprenorphine naloxone naltrexone ondansetron metoclopramide clopidogrel ticagrelor"
    " prasugrel digoxin amiodarone diltiazem verapamil hydralazine nitroglycerin isosorbide"
    " allopurinol colchicine methotrexate finasteride montelukast albuterol salbutamol"
    " fluticasone budesonide tiotropium cetirizine loratadine diphenhydramine hydroxyzine"
    " glipizide glimepiride gliclazide glyburide pioglitazone levetiracetam phenytoin"
    " valproate carbamazepine lamotrigine topiramate zolpidem melatonin ketamine propofol"
    " ketorolac celecoxib meloxicam oxybutynin donepezil memantine levodopa carbidopa"
    " alteplase tenecteplase tranexamic ivermectin tacrolimus cyclosporine mycophenolate"
    " hydroxychloroquine quetiapine olanzapine clozapine haloperidol aripiprazole risperidone"
    " epinephrine adrenaline norepinephrine noradrenaline dobutamine vasopressin atropine"
    " amitriptyline nortriptyline baclofen cyclobenzaprine tizanidine methocarbamol"
    " prednisone prednisolone dexamethasone hydrocortisone methylprednisolone estradiol"
    " progesterone testosterone tamoxifen letrozole anastrozole sumatriptan"
    # common brand names
    " tylenol advil motrin aleve lipitor crestor zocor lasix coumadin eliquis xarelto pradaxa"
    " plavix brilinta zoloft prozac lexapro celexa paxil wellbutrin cymbalta effexor seroquel"
    " zyprexa abilify risperdal xanax ativan valium klonopin ambien norco vicodin percocet"
    " oxycontin dilaudid toradol narcan ozempic wegovy mounjaro trulicity victoza jardiance"
    " farxiga januvia lantus levemir humalog novolog glucophage synthroid norvasc zestril"
    " cozaar toprol lopressor ventolin proair symbicort advair spiriva singulair keppra"
    " dilantin depakote lamictal topamax neurontin lyrica zofran reglan benadryl protonix"
    " nexium prilosec pepcid flomax proscar viagra cialis augmentin zithromax cipro levaquin"
    " keflex bactrim macrobid tamiflu flagyl diflucan"
)
_DRUG_SUFFIXES = (
    *("olol", "alol", "ilol", "pril", "sartan", "statin", "mab", "cillin", "mycin", "micin"),
    *("azole", "formin", "dipine", "apine", "azepine", "adone", "idone", "odone", "azepam"),
    *("zolam", "lopram", "triptan", "tinib", "gliptin", "gliflozin", "glutide", "parin"),
    *("xaban", "gatran", "floxacin", "oxacin", "cycline", "oxetine", "pramine", "triptyline"),
    *("afil", "lukast", "semide", "thiazide", "dronate", "caine", "olone", "isone", "asone"),
    *("terol", "profen", "fenac", "tidine", "setron", "osin", "barbital", "sonide", "tropium"),
    *("peridol", "etamol", "vir", "codone", "morphone"),
)
_NOT_DRUGS = _words("cholesterol rapine")


def _is_drug(word: str) -> bool:
    if word in _DRUGS:
        return True
    if len(word) < 6 or word in _NOT_DRUGS:
        return False
    return word.endswith(_DRUG_SUFFIXES) or (word.startswith("cef") and len(word) > 7)


def _medication_facts(tokens: list[_Token]) -> list[_Fact]:
    return [
        _Fact(key=f"med:{t.low}", label=t.low, pos=t.pos, base=f"med:{t.low}", unique=True)
        for t in tokens
        if t.low.isalpha() and _is_drug(t.low)
    ]


# --------------------------------------------------------------------------
# Summary helpers

_SUMMARY_ITEMS = 4


def _clip(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:_SUMMARY_ITEMS])
    rest = len(items) - _SUMMARY_ITEMS
    return f"{shown} and {rest} more" if rest > 0 else shown


def _shape(label: str) -> str | None:
    """The label with its numbers as "#", so that 500 mg and 300 mg match; None for words."""
    shape = re.sub(r"\d+(?:[.,]\d+)*", "#", label)
    return shape if shape != label else None


def _pair_changes(
    missing: tuple[str, ...], added: tuple[str, ...]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Pair a dropped and an added value of the same unit as one change."""
    left, right, pairs = list(missing), list(added), []
    for old in list(left):
        shape = _shape(old)
        if shape is None:
            continue
        for new in right:
            if _shape(new) == shape:
                pairs.append((old, new))
                left.remove(old)
                right.remove(new)
                break
    return pairs, left, right
