"""Spoken numbers to digits, and spoken units to their symbols.

The rules are meant to be predictable rather than clever:

- A run of number words that reads as one number becomes digits: "twenty one"
  -> "21", "five hundred" -> "500", "one hundred and twenty" -> "120",
  "a thousand" -> "1000" (no thousands separators).
- A lone number word ("one", "seven", "twenty") stays a word unless a unit,
  "point" or "over" follows it, so "no one", "one of the" and "seven patients"
  are left alone, while "one gram" becomes "1 g".
- A run that does not read as one number ("one two three", "twenty twenty
  four") is left entirely as words rather than guessed at.
- "point" followed by digit words makes a decimal ("two point five" -> "2.5").
  A leading "point" ("point five milligrams") leaves what follows as words:
  "at this point five ..." is ordinary prose, and "point 5 mg" could be misread
  as a dose ten times larger.
- "A over B" with a number on both sides becomes "A/B" ("one hundred and
  twenty over eighty" -> "120/80", "120 over 80" -> "120/80").
- A unit after a number, spelled out or already in digits, becomes its symbol:
  "five hundred milligrams" and "500 milligrams" -> "500 mg". Percent and
  degrees attach to the number ("5%", "38.5°C"); "units" stays a word.
- Words form a run only when separated by spaces (or joined by hyphens, as in
  "twenty-one"); punctuation or a line break ends it. A hyphenated word that is
  not all number words ("five-year-old") is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
NUMBER_WORDS = frozenset({*ONES, *TEENS, *TENS, "hundred", *SCALES})

# (spoken words, symbol, whether the symbol attaches to the number without a space)
UNITS: tuple[tuple[tuple[str, ...], str, bool], ...] = (
    (("degrees", "celsius"), "°C", True),
    (("degrees", "centigrade"), "°C", True),
    (("degree", "celsius"), "°C", True),
    (("degrees", "fahrenheit"), "°F", True),
    (("degree", "fahrenheit"), "°F", True),
    (("per", "cent"), "%", True),
    (("percent",), "%", True),
    (("milligrams",), "mg", False),
    (("milligram",), "mg", False),
    (("mg",), "mg", False),
    (("micrograms",), "mcg", False),
    (("microgram",), "mcg", False),
    (("mcg",), "mcg", False),
    (("grams",), "g", False),
    (("gram",), "g", False),
    (("kilograms",), "kg", False),
    (("kilogram",), "kg", False),
    (("kg",), "kg", False),
    (("milliliters",), "mL", False),
    (("millilitres",), "mL", False),
    (("milliliter",), "mL", False),
    (("millilitre",), "mL", False),
    (("ml",), "mL", False),
    (("liters",), "L", False),
    (("litres",), "L", False),
    (("liter",), "L", False),
    (("litre",), "L", False),
    (("units",), "units", False),
    (("unit",), "unit", False),
)

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    low: str
    joined: bool  # separated from the previous token only by spaces or a hyphen

    @property
    def is_digits(self) -> bool:
        return self.low[0].isdigit()


@dataclass(frozen=True)
class _Quantity:
    text: str
    end: int
    tokens: int


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end: int | None = None
    for match in _TOKEN.finditer(text):
        gap = text[previous_end : match.start()] if previous_end is not None else None
        joined = gap is not None and _SPACES.fullmatch(gap) is not None
        low = match.group().lower()
        parts = low.split("-")
        if len(parts) > 1 and all(part in NUMBER_WORDS for part in parts):
            position = match.start()
            for index, part in enumerate(parts):
                tokens.append(_Token(position, position + len(part), part, joined or index > 0))
                position += len(part) + 1
        else:
            tokens.append(_Token(match.start(), match.end(), low, joined))
        previous_end = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens

    def word(self, index: int) -> str | None:
        """The token at index, if it continues the run (is joined to the one before)."""
        if index < len(self._tokens) and self._tokens[index].joined:
            return self._tokens[index].low
        return None

    def expression(self, index: int) -> tuple[str | None, int]:
        """Replacement text (None: leave as is) and the index after what was read."""
        previous = self._tokens[index - 1].low if index > 0 else ""
        if self._tokens[index].joined and (previous in NUMBER_WORDS or previous == "point"):
            return None, self._run_end(index)
        quantity = self._quantity(index)
        if quantity is None:
            return None, index + 1
        if self.word(quantity.end) in NUMBER_WORDS:
            return None, self._run_end(index)
        text, end = quantity.text, quantity.end
        changed = quantity.tokens > 1
        if self.word(end) == "over":
            divisor = self._quantity(end + 1, joined=True)
            if divisor is not None and self.word(divisor.end) not in NUMBER_WORDS:
                text, end, changed = f"{text}/{divisor.text}", divisor.end, True
        unit = self._unit(end)
        if unit is not None:
            symbol, attach, end = unit
            text, changed = text + ("" if attach else " ") + symbol, True
        return (text if changed else None), end

    def _run_end(self, index: int) -> int:
        end = index + 1
        while self.word(end) in NUMBER_WORDS or self.word(end) in ("and", "point"):
            end += 1
        return end

    def _quantity(self, index: int, joined: bool = False) -> _Quantity | None:
        if index >= len(self._tokens) or (joined and not self._tokens[index].joined):
            return None
        token = self._tokens[index]
        if token.is_digits:
            integer: tuple[str, int] | None = (token.low, index + 1)
        else:
            cardinal = self._cardinal(index)
            integer = None if cardinal is None else (str(cardinal[0]), cardinal[1])
        if integer is None:
            return None
        text, end = integer
        if self.word(end) == "point" and "." not in text:
            digits = []
            cursor = end + 1
            while (digit := ONES.get(self.word(cursor) or "")) is not None:
                digits.append(str(digit))
                cursor += 1
            if digits:
                text, end = f"{text}.{''.join(digits)}", cursor
        return _Quantity(text, end, end - index)

    def _cardinal(self, index: int) -> tuple[int, int] | None:
        first = self._tokens[index].low
        if first == "a" and self.word(index + 1) in SCALES:
            group: tuple[int, int] | None = (1, index + 1)
        else:
            group = self._below_thousand(index, first)
        if group is None:
            return None
        total, (value, end) = 0, group
        ceiling: int | None = None
        while value > 0:
            size = SCALES.get(self.word(end) or "")
            if size is None or (ceiling is not None and size >= ceiling):
                break
            total, ceiling, end = total + value * size, size, end + 1
            value = 0
            start = end + 1 if self.word(end) == "and" else end
            following = self._below_thousand(start, self.word(start))
            if following is None or following[0] == 0:
                break
            value, end = following
        return total + value, end

    def _below_thousand(self, index: int, word: str | None) -> tuple[int, int] | None:
        if word == "a" and self.word(index + 1) == "hundred":
            value, end = 1, index + 1
        else:
            small = self._below_hundred(index, word)
            if small is None:
                return None
            value, end = small
        if self.word(end) != "hundred" or not 1 <= value <= 99:
            return value, end
        value, end = value * 100, end + 1
        start = end + 1 if self.word(end) == "and" else end
        rest = self._below_hundred(start, self.word(start))
        if rest is not None and rest[0] > 0:
            value, end = value + rest[0], rest[1]
        return value, end

    def _below_hundred(self, index: int, word: str | None) -> tuple[int, int] | None:
        key = word or ""
        small = ONES.get(key, TEENS.get(key))
        if small is not None:
            return small, index + 1
        tens = TENS.get(key)
        if tens is None:
            return None
        unit = ONES.get(self.word(index + 1) or "", 0)
        return (tens + unit, index + 2) if unit > 0 else (tens, index + 1)

    def _unit(self, index: int) -> tuple[str, bool, int] | None:
        for words, symbol, attach in UNITS:
            if all(self.word(index + offset) == word for offset, word in enumerate(words)):
                return symbol, attach, index + len(words)
        return None


def normalize_numbers(text: str) -> str:
    """Spoken numbers to digits and spoken units to symbols (rules in the module docstring)."""
    tokens = _tokenise(text)
    parser = _Parser(tokens)
    pieces: list[str] = []
    written = 0
    index = 0
    while index < len(tokens):
        replacement, end = parser.expression(index)
        if replacement is not None:
            pieces.append(text[written : tokens[index].start])
            pieces.append(replacement)
            written = tokens[end - 1].end
        index = max(end, index + 1)
    pieces.append(text[written:])
    return "".join(pieces)
