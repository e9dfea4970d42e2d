"""Units of measure: their spellings, one canonical name each, and patterns that find them."""

from __future__ import annotations

import re

UNITS: dict[str, tuple[str, ...]] = {
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
        *("year old", "years old"),
    ),
}
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
# Values a reader adds or leaves out around a bare number ("HR 72" / "72 bpm").
SOFT_UNITS = frozenset({"bpm", "breaths/min", "%", "mmHg", "°C", "°F", "°"})
PLURALS = {
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


def squash(text: str) -> str:
    """`text` in the form the alias tables are keyed by."""
    text = re.sub(r"\s*/\s*", "/", text.lower())
    return re.sub(r"[\s-]+", " ", text)


def _alias_table(table: dict[str, tuple[str, ...]]) -> tuple[str, dict[str, str]]:
    lookup = {squash(alias): canon for canon, aliases in table.items() for alias in aliases}
    patterns = [
        re.escape(alias).replace(r"\ ", r"\s+").replace("/", r"\s*/\s*")
        for alias in sorted(lookup, key=len, reverse=True)
    ]
    return "|".join(patterns), lookup


UNIT_PATTERN, UNIT_LOOKUP = _alias_table(UNITS)
DENOM_PATTERN, DENOM_LOOKUP = _alias_table(DENOMINATORS)
UNIT_AHEAD = rf"\s*(?:-\s*)?(?:{UNIT_PATTERN})(?![a-z\d])"
UNIT_AHEAD_RE = re.compile(UNIT_AHEAD, re.IGNORECASE)
