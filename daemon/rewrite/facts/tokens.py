"""Words and punctuation of a normalised text, for the word-level facts."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    """One word, number or punctuation mark, lower-cased alongside, and its offset."""

    text: str
    low: str
    pos: int


# "N/V", "SI/HI", "N/V/D": one abbreviation, so that "no N/V" negates it.
_TOKEN_RE = re.compile(
    r"[^\W\d_]{1,4}(?:/[^\W\d_]{1,4})+(?![\w/])"
    r"|[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:\.\d+)?|[.;:!?()\[\]\n]|[,/-]"
)
# Punctuation that ends a clause, and with it a negation's or a side's reach.
BOUNDARY = frozenset(".;:!?()[]\n")


def tokenise(text: str) -> list[Token]:
    """The tokens of `text` in reading order."""
    return [Token(m[0], m[0].lower(), m.start()) for m in _TOKEN_RE.finditer(text)]


def low_at(tokens: list[Token], i: int) -> str:
    """The lower-cased token at `i`, or "" past either end."""
    return tokens[i].low if 0 <= i < len(tokens) else ""


def is_word(token: Token) -> bool:
    """Whether `token` is a word (contractions and "n/v" included), not a number or a mark."""
    return token.low.replace("/", "").isalpha() or "'" in token.low


def stem(word: str) -> str:
    """`word` without a plural or possessive ending, so "fevers" matches "fever"."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxh":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
