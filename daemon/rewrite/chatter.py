"""Tell a usable rewrite of one piece from chatter, refusals and degenerate output.

cleanup.strip_chatter removes what a model wraps around a good answer; what is
left is judged here. Anything that talks about the text instead of being it
(meta-commentary, apologies, refusals, "as an AI", prompt templates, quotes the
source lacks) or that is degenerate (empty, repeated, far longer or shorter
than the piece, the piece twice) is rejected, and the caller keeps the
original piece. A phrase that the source piece itself contains is never held
against the rewrite.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

_APOSTROPHE = "['’]"
# Each names one kind of chatter; the first that matches is the reason reported.
_CHATTER: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "refusal",
        re.compile(
            rf"\b(?:i{_APOSTROPHE}?m\s+(?:sorry|afraid|unable|not\s+(?:able|equipped|qualified"
            rf"|a\s+(?:doctor|medical)))|i\s+am\s+(?:sorry|unable|not\s+(?:able|equipped"
            rf"|qualified))|i\s+(?:can(?:not|{_APOSTROPHE}t)|won{_APOSTROPHE}t|apologi[sz]e)"
            r"|sorry\b|unfortunately\b|as\s+an?\s+(?:ai|language\s+model|assistant|medical"
            r"\s+professional|healthcare\s+professional|doctor|chatbot)\b|not\s+equipped\b"
            r"|(?:consult|seek\s+advice\s+from|speak\s+(?:to|with))\s+(?:a|your)\s+"
            r"(?:doctor|physician|healthcare|medical|pharmacist))",
            re.IGNORECASE,
        ),
    ),
    (
        "meta-commentary",
        re.compile(
            r"\b(?:(?:the|this|your)\s+(?:text|sentence|note|statement|phrase|passage)\s+"
            r"(?:could|can|should|would|might|may|is|reads|says|means|has\s+been|was)\b"
            r"|(?:could|can)\s+be\s+(?:rephrased|rewritten|reworded|corrected|written)"
            r"|rephrased\s+(?:as|to)|rewritten\s+(?:as|to)|corrected\s+(?:version|text|sentence)"
            rf"|here\s+is\b|here{_APOSTROPHE}s\b|in\s+other\s+words\b|i\s+(?:have|{_APOSTROPHE}ve)"
            r"\s+(?:corrected|rewritten|changed|revised)|(?:original|revised)\s+(?:text|sentence)"
            r"|let\s+me\b"
            # An answer to a question nobody asked: "Yes, he has had diarrhoea".
            r"|^(?:yes|no|sure|okay|ok|certainly|of\s+course|great|absolutely)\s*[,!.:])",
            re.IGNORECASE,
        ),
    ),
    (
        "template",
        re.compile(
            r"(?:^|\s)(?:premise|hypothesis|question|answer|input|output|sentence|text"
            r"|rewrite|rewritten|corrected|original|example|response|assistant|user|system"
            r"|instruction|note|context|label|step\s*\d+)\s*:",
            re.IGNORECASE,
        ),
    ),
)
_QUOTES = '"“”„«»'
_WORD_RE = re.compile(r"\w+(?:['’]\w+)?")
# Generous bounds: a concise rewrite may halve a sentence, a plain-language one
# may double it; beyond them a one-sentence rewrite has gone astray.
MIN_LENGTH_RATIO = 0.35
MAX_LENGTH_RATIO = 2.5
LENGTH_SLACK = 24
REPEATED_NGRAM = 4
REPEATS = 3


def reject_reason(rewrite: str, source: str) -> str | None:
    """Why `rewrite` cannot stand for the piece `source` (None: it can)."""
    text = rewrite.strip()
    if not text:
        return "empty"
    if repeats(text):
        return "repetition"
    if _contains_twice(text, source) or _says_again(text, source):
        return "repetition"
    low, high = _length_bounds(source)
    if len(text) < low:
        return "too short"
    if len(text) > high:
        return "too long"
    for reason, pattern in _CHATTER:
        for found in pattern.finditer(text):
            if _squash(found[0]) not in _squash(source):
                return reason
    if any(q in text for q in _QUOTES) and not any(q in source for q in _QUOTES):
        return "quotes"
    return None


def repeats(text: str) -> bool:
    """Whether `text` loops: a run of characters repeated at its end, or a word n-gram
    that occurs REPEATS times (the shape of a runaway generation)."""
    for period in range(2, min(80, len(text) // REPEATS) + 1):
        unit = text[-period:]
        if unit.strip() and text.endswith(unit * REPEATS) and period * REPEATS >= 12:
            return True
    words = [w.lower() for w in _WORD_RE.findall(text)]
    grams = Counter(tuple(words[i : i + REPEATED_NGRAM]) for i in range(len(words) - 3))
    return bool(grams) and max(grams.values()) >= REPEATS


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _contains_twice(text: str, source: str) -> bool:
    """The source, or the rewrite's own first half, given twice ("the note twice")."""
    squashed, piece = _squash(text), _squash(source)
    if len(piece) >= 8 and squashed.count(piece) >= 2:
        return True
    half = len(squashed) // 2
    first, second = squashed[:half].strip(" .,;"), squashed[half:].strip(" .,;")
    return len(first) >= 8 and first == second


def _says_again(text: str, source: str) -> bool:
    """A word pair said twice where the source says it once ("low mood ... low mood")."""
    theirs = _pairs(source)
    return any(n >= 2 and n > theirs[pair] for pair, n in _pairs(text).items())


def _pairs(text: str) -> Counter[tuple[str, str]]:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    return Counter(pair for pair in itertools.pairwise(words) if max(map(len, pair)) >= 4)


def _length_bounds(source: str) -> tuple[float, float]:
    size = len(source.strip())
    return size * MIN_LENGTH_RATIO - LENGTH_SLACK / 4, size * MAX_LENGTH_RATIO + LENGTH_SLACK
