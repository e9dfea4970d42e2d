"""How much of a rewrite is new wording, what of the source it dropped, whom it names.

The guard sees numbers, negations, sides and drugs; a tiny model can also invent
plain words ("f/u in 2 weeks" became "Fixing wound 2 weeks ago"). A rewrite whose
content words are mostly new is not a rewrite of its piece. Spelling corrections
stay close to a source word (difflib's ratio), so proofreading is not penalised.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import re
from collections import Counter

from daemon.speech.lexicon import LexiconError, drug_names, is_ordinary_word

log = logging.getLogger(__name__)

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


# Inflections that leave a word the same word ("take"/"takes", "start"/"started").
_INFLECTIONS: tuple[tuple[str, str], ...] = (
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
)


def swapped(rewrite: str, source: str) -> str | None:
    """A correctly spelled source word the rewrite swapped for a look-alike (None: none).

    novelty() lets a rewrite's word stand for a source word it resembles, so that a
    spelling correction is not "new"; "crackles" -> "cracks" resembles as well, and is
    a different finding. A source word that is already English or a drug name can
    only be inflected, never corrected.
    """
    kept = {_base for w in _WORD_RE.findall(rewrite.lower()) for _base in _bases(w)}
    new = [w for w in _WORD_RE.findall(rewrite.lower()) if _content(w)]
    words: list[str] = _WORD_RE.findall(source.lower())
    for word in words:
        if not _content(word) or _bases(word) & kept or not _spelled(word):
            continue  # kept, or a misspelling: correcting it is the job
        if any(not _bases(w) & _bases(word) and _resembles(w, {word}) for w in new):
            return word
    return None


def load_lexicon() -> None:
    """Read the word lists the look-alike check needs (about a second, once): called off
    the event loop before the first piece is checked, which then finds them cached."""
    with contextlib.suppress(LexiconError):  # _spelled says so when it is asked
        is_ordinary_word("a")


def _spelled(word: str) -> bool:
    """Whether `word` is English or a drug name; without the lexicon, every word is (so
    no look-alike passes as a correction)."""
    try:
        return is_ordinary_word(word) or word in drug_names()
    except LexiconError:
        log.warning("no lexicon: a rewrite may not correct spellings")
        return True


def _bases(word: str) -> frozenset[str]:
    """`word` and what it is with an inflection taken off."""
    return frozenset(
        [word]
        + [
            word[: len(word) - len(suffix)] + base
            for suffix, base in _INFLECTIONS
            if word.endswith(suffix) and len(word) - len(suffix) >= 3
        ]
    )


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


# Who else is in a note: the person who reported or agreed. A shortening that drops
# "mother reports" has made the report the patient's own.
INFORMANTS = frozenset(
    {"mother", "father", "parent", "parents", "mum", "mom", "dad", "daughter", "son"}
    | {"wife", "husband", "partner", "carer", "caregiver", "sister", "brother", "friend"}
    | {"nurse", "teacher", "paramedic", "paramedics", "relative", "relatives", "family"}
)


def new_persons(rewrite: str, source: str) -> frozenset[str]:
    """The persons (I, we, you, she, he, they) the rewrite names more often than the source.

    A shortening may drop a subject ("she agrees" -> "agrees"), but it may not name
    someone else: "we discussed, she agrees" -> "we discussed, we agreed" names "we"
    once more, and that is a change of who acted.
    """
    return frozenset(_persons(rewrite) - _persons(source))


def lost_informants(rewrite: str, source: str) -> frozenset[str]:
    """The people other than the patient (mother, carer, nurse...) the rewrite no longer names."""
    have = set(_WORD_RE.findall(rewrite.lower()))
    return frozenset(w for w in _WORD_RE.findall(source.lower()) if w in INFORMANTS) - have


def _persons(text: str) -> Counter[str]:
    return Counter(PERSONS[w] for w in _WORD_RE.findall(text.lower()) if w in PERSONS)
