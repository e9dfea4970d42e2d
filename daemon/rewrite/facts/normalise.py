"""One spelling for what dictation and rewrites write many ways."""

from __future__ import annotations

import re
import unicodedata

from daemon.clinical.spoken import NumberParser, tokenise
from daemon.clinical.units import UNIT_AHEAD_RE

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
_POINT_RE = re.compile(r"(\d)\s+point\s+(\d)", re.IGNORECASE)
_OVER_RE = re.compile(r"(\d)\s+(?:over|out\s+of)\s+(\d)", re.IGNORECASE)


def number_words_to_digits(text: str) -> str:
    """`text` with each spoken number written in digits, by the parser dictation writes with.

    The guard reads more eagerly than dictation writes: "seven patients" is 7
    here, so that "seven" and "7" compare equal. A lone "one" is mostly "no
    one", "one of": only a dose counts. Digits before a scale are a number too
    ("4 million").
    """
    tokens = tokenise(text, split_hyphens=True)
    parser = NumberParser(tokens)
    pieces, written, index = [], 0, 0
    while index < len(tokens):
        found = parser.quantity(index)
        if found is None or (found.tokens == 1 and tokens[index].is_digits):
            index += 1
            continue
        start, end = tokens[index].start, tokens[found.end - 1].end
        if found.tokens > 1 or found.text != "1" or UNIT_AHEAD_RE.match(text, end):
            pieces += [text[written:start], found.text]
            written = end
        index = found.end
    pieces.append(text[written:])
    return "".join(pieces)


def normalise(text: str) -> str:
    """`text` with unicode variants, abbreviations and spoken numbers in one spelling."""
    text = unicodedata.normalize("NFKC", text.translate(_CHAR_MAP))
    text = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m[1].lower()], text)
    text = number_words_to_digits(text)
    text = _POINT_RE.sub(r"\1.\2", text)
    return _OVER_RE.sub(r"\1/\2", text)
