"""Spoken numbers ("five hundred and twenty") as digits."""

from __future__ import annotations

import re

from daemon.rewrite.facts.units import UNIT_AHEAD_RE

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
_WORD_RE = re.compile(r"[a-z]+", re.IGNORECASE)


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
            (kind == "small" and (last in _SCALES or (last == "tens" and _SMALL[word] < 10)))
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


def number_words_to_digits(text: str) -> str:
    """`text` with each spoken number written in digits."""

    def replace(match: re.Match[str]) -> str:
        run = match[0]
        spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(run)]
        words = [run[a:b].lower() for a, b in spans]
        out, cursor = [], 0
        for first, last, value in _number_segments(words):
            a, b = spans[first][0], spans[last][1]
            # A lone "one" is mostly "no one", "one of": only a dose counts.
            if words[first : last + 1] == ["one"] and not UNIT_AHEAD_RE.match(
                text, match.start() + b
            ):
                continue
            out += [run[cursor:a], str(value)]
            cursor = b
        out.append(run[cursor:])
        return "".join(out)

    return _NUMBER_RUN_RE.sub(replace, text)
