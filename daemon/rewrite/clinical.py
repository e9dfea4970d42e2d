"""The deterministic clinical clean-up: case, punctuation and spacing, with no model.

`tidy` is the `clinical-cleanup` preset and a pre-pass any rewrite can run
first. It only moves spaces, capitalises the first word of a sentence and a
vital sign before its reading ("bp 140/90"), and ends a sentence with a full
stop, so it cannot change a fact; the fidelity
guard checks its result like any other. Joint Commission "Do Not Use"
notations are flagged in `warnings` and left as written (daemon.clinical.do_not_use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from daemon.clinical.do_not_use import DoNotUse, flag_do_not_use
from daemon.clinical.units import UNITS


@dataclass(frozen=True)
class Tidied:
    """The cleaned-up text and the notations it flags."""

    text: str
    warnings: tuple[DoNotUse, ...]


# Units written apart from their number: "500mg" -> "500 mg". One-letter spellings are
# units only in lower case ("5g", "4h"; "18G" is a needle gauge), and "d" and "y" not at
# all ("3D"); attached units ("5%", "38.5°C") stay attached.
_SPACED_UNITS = sorted(
    (
        spelling
        for unit in UNITS
        if not unit.attached
        for spelling in unit.spellings
        if spelling.isalpha() and (len(spelling) > 1 or spelling in "ghl")
    ),
    key=len,
    reverse=True,
)
_NUMBER_UNIT_RE = re.compile(
    r"(?<![A-Za-z\d.,])((?:\d+(?:[.,]\d+)*|\.\d+))("
    + "|".join(f"(?i:{re.escape(s)})" if len(s) > 1 else re.escape(s) for s in _SPACED_UNITS)
    + r"|L)(?![A-Za-z\d])"
)
# "fever.Plan", "bid.denies": a full stop between two words; "site.com" is no sentence.
_SENTENCE_GAP_RE = re.compile(
    r"(?<=[A-Za-z]{3})(\.)(?=[A-Za-z]{2,}\b)"
    r"(?!(?i:com|org|net|gov|edu|nhs|uk|us|io|pdf|docx?|txt|html?)\b)"
)
# Vital signs written in lower case before their reading: "bp 140/90 hr 88" is
# "BP 140/90 HR 88". Only before a number, so "3 hr" (hours) and "recheck bp" stay.
_VITALS = {"bp": "BP", "hr": "HR", "rr": "RR", "spo2": "SpO2"}
_VITAL_RE = re.compile(r"(?<![\w/])(bp|hr|rr|spo2)(?=:?\s*\d)")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
# A full stop after these is not the end of a sentence.
_NOT_SENTENCE_ENDS = frozenset(
    {"e.g", "i.e", "eg", "ie", "vs", "approx", "dr", "mr", "mrs", "ms", "no", "st", "pt", "fig"}
    | {"etc", "cf", "al", "inc", "jr", "sr", "prof", "dept"}
)
# Unit symbols keep their case at the start of a sentence ("mg of drug"); unit words do not.
_UNIT_SYMBOLS = frozenset(
    {"mg", "mgs", "mcg", "ug", "ng", "kg", "ml", "mls", "dl", "mmol", "meq", "mmhg", "cm", "mm"}
)
_SENTENCE_START_RE = re.compile(
    r"(?:^|(?<=[.!?])\s+)(?P<lead>\s*(?:[-*•]\s+|\d+[.)]\s+)?[(\"']?)(?P<word>[a-z][\w'’-]*)",
    re.MULTILINE,
)


def tidy(text: str) -> Tidied:
    """Case, punctuation and spacing made tidy; facts as written; "Do Not Use" flagged."""
    lines = [_tidy_line(line) for line in text.splitlines()]
    tidied = "\n".join(lines)
    if text.endswith("\n"):
        tidied += "\n"
    tidied = _sentence_case(tidied)
    return Tidied(tidied, flag_do_not_use(tidied))


def _tidy_line(line: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    body = re.sub(r"[ \t\u00a0]+", " ", line.strip())
    if not body:
        return ""
    body = re.sub(r" +([;!?]|,(?!\d))", r"\1", body)  # " ,888" is no "13,888"
    body = re.sub(r" +(\.|:)(?=\s|$)", r"\1", body)
    body = re.sub(r"([,;])(?=[A-Za-z])", r"\1 ", body)
    # Not before a digit: "BP:140/90" and "14:30" read as they are.
    body = re.sub(r"(?<=[A-Za-z])(:)(?=[A-Za-z(])", r"\1 ", body)
    body = _SENTENCE_GAP_RE.sub(r"\1 ", body)
    body = _NUMBER_UNIT_RE.sub(r"\1 \2", body)
    body = _VITAL_RE.sub(lambda m: _VITALS[m[1]], body)
    return indent + _end_sentence(body)


def _end_sentence(body: str) -> str:
    """A full stop after a sentence that lacks one; not after a heading or a list item."""
    if _LIST_ITEM_RE.match(body) or len(body.split()) < 2 or body[-1] in ".!?:;,":
        return body
    if not (body[-1].isalnum() or body[-1] in ")%°"):
        return body
    return body + "."


def _sentence_case(text: str) -> str:
    def capitalise(match: re.Match[str]) -> str:
        word = match["word"]
        if not _starts_sentence(text, match.start()) or not _capitalisable(word):
            return match[0]
        start = match.start("word") - match.start()
        return match[0][:start] + word[0].upper() + word[1:]

    return _SENTENCE_START_RE.sub(capitalise, text)


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the full stop before `at` ends a sentence ("approx. 5", "b.i.d. then" do not)."""
    before = text[:at].rstrip()
    if not before or before.endswith("\n") or text[at - 1 : at] == "\n" or before[-1] in "!?":
        return True
    if "\n" in text[len(before) : at + 1]:
        return True
    word = re.search(r"([\w.]+)\.$", before)
    if word is None:
        return True
    token = word[1].lower()
    return token not in _NOT_SENTENCE_ENDS and "." not in token and len(token) > 1


def _capitalisable(word: str) -> bool:
    """Not a unit ("mg"), a mixed-case term ("pH", "eGFR") or a one-letter side ("l knee")."""
    if word in _UNIT_SYMBOLS or (not word.isalpha() and "'" not in word and "-" not in word):
        return False
    if any(ch.isupper() for ch in word[1:]):
        return False
    return len(word) > 1 or word in ("a", "i")
