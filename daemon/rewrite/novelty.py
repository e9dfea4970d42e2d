"""How much of a rewrite is new wording, what of the source it dropped, whom it names.

The guard sees numbers, negations, sides and drugs; a tiny model can also invent
plain words ("f/u in 2 weeks" became "Fixing wound 2 weeks ago"). A rewrite whose
content words are mostly new is not a rewrite of its piece. Spelling corrections
stay close to a source word (difflib's ratio), so proofreading is not penalised.
"""

from __future__ import annotations

import difflib
import re

_WORD_RE = re.compile(r"[a-z]+")
MIN_LENGTH = 4
CLOSE = 0.8
STEM = 5
# Words any rewrite may bring in without inventing content.
_FUNCTION = frozenset(
    [
        "the",
        "this",
        "that",
        "these",
        "those",
        "with",
        "without",
        "from",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "after",
        "before",
        "there",
        "their",
        "they",
        "them",
        "then",
        "than",
        "also",
        "some",
        "been",
        "being",
        "have",
        "having",
        "were",
        "does",
        "done",
        "will",
        "would",
        "should",
        "could",
        "shall",
        "must",
        "very",
        "more",
        "most",
        "much",
        "such",
        "each",
        "other",
        "when",
        "which",
        "while",
        "where",
        "what",
        "your",
        "yours",
        "please",
        "patient",
        "patients",
    ]
)


def novelty(rewrite: str, source: str) -> float:
    """The share (0 to 1) of the rewrite's content words that no source word resembles."""
    words = [w for w in _WORD_RE.findall(rewrite.lower()) if _content(w)]
    if not words:
        return 0.0
    known = set(_WORD_RE.findall(source.lower()))
    new = [w for w in words if not _resembles(w, known)]
    return len(new) / len(words)


def dropped(rewrite: str, source: str) -> float:
    """The share (0 to 1) of the source's content words that the rewrite lost: a
    proofread that drops "on room air" or "clean" has changed the note."""
    return novelty(source, rewrite)


# What a clinician ordered: a rewrite may word it differently, never drop it
# ("Continue lisinopril" is a plan, "Lisinopril" is not).
_ACTION_RE = re.compile(
    r"\b(start|stop|continu|increas|decreas|discontinu|hold|omit|restart|taper|refer"
    r"|recheck|repeat|agree|refus|declin)",
)


def lost_actions(rewrite: str, source: str) -> bool:
    """Whether an order or a decision of the source (start, stop, refuse...) is gone."""
    have = set(_ACTION_RE.findall(rewrite.lower()))
    return any(action not in have for action in _ACTION_RE.findall(source.lower()))


def _content(word: str) -> bool:
    return len(word) >= MIN_LENGTH and word not in _FUNCTION


def _resembles(word: str, known: set[str]) -> bool:
    if word in known:
        return True
    return any(
        (len(other) >= STEM and word[:STEM] == other[:STEM])
        or difflib.SequenceMatcher(None, word, other).ratio() >= CLOSE
        for other in known
    )


# Who a sentence is about or who acted, by pronoun: a shortening that turns "she agrees"
# into "we agreed" has changed the person, which no number, negation or side shows.
PERSONS: dict[str, str] = {
    **dict.fromkeys(("i", "me", "my", "mine", "myself"), "I"),
    **dict.fromkeys(("we", "us", "our", "ours", "ourselves"), "we"),
    **dict.fromkeys(("you", "your", "yours", "yourself"), "you"),
    **dict.fromkeys(("she", "her", "hers", "herself"), "she"),
    **dict.fromkeys(("he", "him", "his", "himself"), "he"),
    **dict.fromkeys(("they", "them", "their", "theirs", "themselves"), "they"),
}


def new_persons(rewrite: str, source: str) -> frozenset[str]:
    """The persons (I, we, you, she, he, they) the rewrite names and the source does not.

    Only additions count: a shortening may drop the subject ("she agrees" -> "agrees"),
    but it may not name someone else.
    """
    return _persons(rewrite) - _persons(source)


def _persons(text: str) -> frozenset[str]:
    return frozenset(PERSONS[w] for w in _WORD_RE.findall(text.lower()) if w in PERSONS)
