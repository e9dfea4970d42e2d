"""Units of measure: one table that dictation writes with and the fidelity guard reads with."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A unit, every way it is written or said, and how dictation and facts show it."""

    name: str  # canonical: the fact's unit, and what dictation writes
    spellings: tuple[str, ...]
    plural: str = ""  # shown for a count other than 1 ("2 tablets")
    # A reader adds or leaves it out around a bare number ("HR 72" / "72 bpm").
    soft: bool = False
    attached: bool = False  # written against the number: "5%", "38.5°C"
    spoken: bool = False  # dictation writes its spoken spellings as `name`

    def shown(self, value: str) -> str:
        """The unit as written after `value`."""
        return self.plural if self.plural and value != "1" else self.name


UNITS: tuple[Unit, ...] = (
    Unit(
        "mg",
        ("mg", "mgs", "milligram", "milligrams", "milligramme", "milligrammes"),
        spoken=True,
    ),
    Unit(
        "mcg",
        ("mcg", "mcgs", "μg", "ug", "microgram", "micrograms", "microgramme", "microgrammes"),
        spoken=True,
    ),
    Unit("ng", ("ng", "nanogram", "nanograms")),
    Unit("g", ("g", "gm", "gms", "gram", "grams", "gramme", "grammes"), spoken=True),
    Unit("kg", ("kg", "kgs", "kilogram", "kilograms", "kilo", "kilos"), spoken=True),
    Unit(
        "mL",
        ("ml", "mls", "milliliter", "milliliters", "millilitre", "millilitres", "cc", "ccs"),
        spoken=True,
    ),
    Unit("µL", ("μl", "ul", "microliter", "microliters", "microlitre", "microlitres")),
    Unit("L", ("l", "liter", "liters", "litre", "litres"), spoken=True),
    Unit("dL", ("dl", "deciliter", "deciliters", "decilitre", "decilitres")),
    Unit("unit", ("u", "unit", "units"), plural="units", spoken=True),
    Unit("IU", ("iu", "ius", "international unit", "international units")),
    Unit("mmol", ("mmol", "millimole", "millimoles")),
    Unit("mEq", ("meq", "milliequivalent", "milliequivalents")),
    Unit("mmHg", ("mmhg", "mm hg", "millimeters of mercury"), soft=True),
    Unit("%", ("%", "percent", "per cent", "pct"), soft=True, attached=True, spoken=True),
    Unit(
        "°C",
        (
            *("°c", "° c", "deg c", "degree c", "degrees c", "degree celsius"),
            *("degrees celsius", "celsius", "degree centigrade", "degrees centigrade"),
            "centigrade",
        ),
        soft=True,
        attached=True,
        spoken=True,
    ),
    Unit(
        "°F",
        (
            *("°f", "° f", "deg f", "degree f", "degrees f", "degree fahrenheit"),
            *("degrees fahrenheit", "fahrenheit"),
        ),
        soft=True,
        attached=True,
        spoken=True,
    ),
    Unit("°", ("°", "deg", "degree", "degrees"), soft=True),
    Unit(
        "bpm",
        ("bpm", "beats per minute", "beats per min", "beats/min", "beats a minute"),
        soft=True,
    ),
    Unit(
        "breaths/min",
        ("breaths per minute", "breaths per min", "breaths/min", "breaths a minute"),
        soft=True,
    ),
    Unit("cm", ("cm", "centimeter", "centimeters", "centimetre", "centimetres")),
    Unit("mm", ("mm", "millimeter", "millimeters", "millimetre", "millimetres")),
    Unit("in", ("inch", "inches")),
    Unit("ft", ("ft", "feet")),
    Unit("lb", ("lb", "lbs", "pound", "pounds")),
    Unit("oz", ("oz", "ounce", "ounces")),
    Unit("tablet", ("tab", "tabs", "tablet", "tablets", "pill", "pills"), plural="tablets"),
    Unit("capsule", ("cap", "caps", "capsule", "capsules"), plural="capsules"),
    Unit("puff", ("puff", "puffs"), plural="puffs"),
    Unit("drop", ("drop", "drops", "gtt", "gtts"), plural="drops"),
    Unit("spray", ("spray", "sprays"), plural="sprays"),
    Unit("patch", ("patch", "patches"), plural="patches"),
    Unit("dose", ("dose", "doses"), plural="doses"),
    Unit("s", ("sec", "secs", "second", "seconds")),
    Unit("min", ("min", "mins", "minute", "minutes")),
    Unit("h", ("h", "hr", "hrs", "hour", "hours")),
    Unit("day", ("d", "day", "days"), plural="days"),
    Unit("week", ("wk", "wks", "week", "weeks"), plural="weeks"),
    Unit("month", ("mo", "mos", "month", "months"), plural="months"),
    Unit(
        "year",
        ("y", "yr", "yrs", "year", "years", "yo", "y/o", "y.o", "y.o.", "year old", "years old"),
        plural="years",
    ),
)
# What a quantity is counted per ("mg/kg", "mL per hour").
DENOMINATORS: dict[str, tuple[str, ...]] = {
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
BY_NAME = {unit.name: unit for unit in UNITS}


def squash(text: str) -> str:
    """`text` in the form the spelling tables are keyed by."""
    text = re.sub(r"\s*/\s*", "/", text.lower())
    return re.sub(r"[\s-]+", " ", text)


def _alias_table(table: dict[str, tuple[str, ...]]) -> tuple[str, dict[str, str]]:
    lookup = {squash(alias): canon for canon, aliases in table.items() for alias in aliases}
    patterns = [
        re.escape(alias).replace(r"\ ", r"\s+").replace("/", r"\s*/\s*")
        for alias in sorted(lookup, key=len, reverse=True)
    ]
    return "|".join(patterns), lookup


UNIT_PATTERN, UNIT_LOOKUP = _alias_table({unit.name: unit.spellings for unit in UNITS})
DENOM_PATTERN, DENOM_LOOKUP = _alias_table(DENOMINATORS)
# Between a number and its unit: spaces, not a line break.
UNIT_GAP = r"[^\S\n]*"
UNIT_AHEAD = rf"{UNIT_GAP}(?:-\s*)?(?:{UNIT_PATTERN})(?![a-z\d])"
UNIT_AHEAD_RE = re.compile(UNIT_AHEAD, re.IGNORECASE)

# The spoken spellings dictation turns into symbols, as word sequences, longest first.
# A one-letter spelling ("g", "l", "u") is not a word anyone says for a unit.
SPOKEN: tuple[tuple[tuple[str, ...], Unit], ...] = tuple(
    sorted(
        (
            (tuple(spelling.split()), unit)
            for unit in UNITS
            if unit.spoken
            for spelling in unit.spellings
            if len(spelling) > 1 and all(word.isalpha() for word in spelling.split())
        ),
        key=lambda entry: len(entry[0]),
        reverse=True,
    )
)
