"""Spoken numbers ("two million five hundred thousand", "thirty eight point five") read as values.

The one parser of number words: dictation writes what it reads here as digits
(daemon.dictation.numbers decides when), and the fidelity guard reads every
number word with it (daemon.rewrite.facts.normalise), so both agree on what a
spoken number is worth.
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

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Token:
    """A word or a run of digits, lower-cased, and where the text has it."""

    start: int
    end: int
    low: str
    joined: bool  # separated from the previous token only by spaces or a hyphen

    @property
    def is_digits(self) -> bool:
        return self.low[0].isdigit()


@dataclass(frozen=True)
class Quantity:
    """A number read from the tokens: its digits and the index of the token after it."""

    text: str
    end: int
    tokens: int


def tokenise(text: str, split_hyphens: bool = False) -> list[Token]:
    """The tokens of `text`; a hyphenated word is split when all of it is number words
    ("twenty-one") or, with `split_hyphens`, always ("five-year-old")."""
    tokens: list[Token] = []
    previous_end: int | None = None
    for match in _TOKEN.finditer(text):
        gap = text[previous_end : match.start()] if previous_end is not None else None
        joined = gap is not None and _SPACES.fullmatch(gap) is not None
        low = match.group().lower()
        parts = low.split("-")
        if len(parts) > 1 and (split_hyphens or all(part in NUMBER_WORDS for part in parts)):
            position = match.start()
            for index, part in enumerate(parts):
                tokens.append(Token(position, position + len(part), part, joined or index > 0))
                position += len(part) + 1
        else:
            tokens.append(Token(match.start(), match.end(), low, joined))
        previous_end = match.end()
    return tokens


def _scaled(number: str, zeros: int) -> str:
    """`number` times ten to the `zeros`, by moving the point (no rounding, any length)."""
    whole, _, fraction = number.partition(".")
    fraction = fraction.ljust(zeros, "0")
    whole, fraction = (whole + fraction[:zeros]).lstrip("0") or "0", fraction[zeros:]
    return f"{whole}.{fraction}" if fraction.rstrip("0") else whole


class NumberParser:
    """Reads numbers, spelled or in digits, at given token positions."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens

    def word(self, index: int) -> str | None:
        """The token at index, if it continues the run (is joined to the one before)."""
        if index < len(self.tokens) and self.tokens[index].joined:
            return self.tokens[index].low
        return None

    def quantity(self, index: int, joined: bool = False) -> Quantity | None:
        """The number starting at `index` (digits or words, "point" decimals), or None."""
        if index >= len(self.tokens) or (joined and not self.tokens[index].joined):
            return None
        token = self.tokens[index]
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
        scale = SCALES.get(self.word(end) or "")
        if scale is not None and (token.is_digits or "." in text):
            # "4 million", "one point five million": what "two million" already is.
            text, end = _scaled(text.replace(",", ""), len(str(scale)) - 1), end + 1
        return Quantity(text, end, end - index)

    def _cardinal(self, index: int) -> tuple[int, int] | None:
        first = self.tokens[index].low
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
            start = self._after_and(end)
            following = self._below_thousand(start, self.word(start))
            if following is None or following[0] == 0:
                break
            value, end = following
        return total + value, end

    def _after_and(self, index: int) -> int:
        """Past an "and" that joins the parts of one number ("a hundred and five"), but not
        one between two numbers ("one hundred and two hundred")."""
        if self.word(index) != "and":
            return index
        rest = self._below_hundred(index + 1, self.word(index + 1))
        if rest is None or self.word(rest[1]) in ("hundred", *SCALES):
            return index
        return index + 1

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
        start = self._after_and(end)
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
