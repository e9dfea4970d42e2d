"""A confident post-correction of drug names heard as sound-alike words.

Whisper, not knowing a drug, writes what it sounds like: "met form in", "lies in
April", "Certraline". Each run of one to three words is compared, by sound and by
spelling, with the lexicon's generic names; it is replaced only when both agree
closely. Matching uses jellyfish (maintained, Rust, MIT): Metaphone codes say how a
word sounds, whatever the word boundaries, and Jaro-Winkler says how it is spelt.
Its Metaphone keeps consonant sounds, which is what survives a mishearing.

What is never touched, because a wrong change there is worse than a misspelt drug:
- numbers and anything with a digit ("500", "10mg"), and number words ("ten");
- negations ("no", "not", "denies", "without", "never", "negative", ...);
- a single word that is ordinary English ("lies", "listen", "form"): only a run of
  words whose sounds together spell a drug, or a word no dictionary knows, changes;
- acronyms (two or more capitals), determiners ("the"), a drug already spelt right, and
  words across punctuation other than a hyphen;
- a name between two drugs ("Acetilopram": citalopram by sound, escitalopram by spelling).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import jellyfish

from daemon.speech.lexicon import MIN_NAME_LENGTH, drug_names, english_words, is_ordinary_word

MAX_WORDS = 3
MIN_JOINED = 7  # letters a run of words must have to stand for a drug
# Sound codes equal: the spelling may differ more than when they differ by one sound.
# Set on half a million words of prose (Debian's licences and package docs), where every
# false match scored below these, and on Whisper's mishearings of this project's
# clinical sentences, most of which score above.
SAME_SOUND_SPELLING = 0.82
NEAR_SOUND_SPELLING = 0.91
NEAR_SOUND_MIN_CODE = 5
# Runs made only of ordinary words ("lies in April") must sound exactly like the drug and
# be spelt closer still: prose is full of such runs ("to listen" is not tolmetin).
ORDINARY_RUN_SPELLING = 0.90
# A mishearing splits a drug into syllable-sized words: a longer ordinary word ("for
# material" is not formoterol) is never one of its pieces.
MAX_ORDINARY_PIECE = 7
# A looser match only names a drug worth a second, prompted decode (daemon/speech/rescue.py),
# which Whisper then confirms or not by hearing the audio again.
SUSPECT_SPELLING = 0.75
SUSPECT_ORDINARY_SPELLING = 0.80
# A drug this many sounds away that is spelt as alike makes a near-sound match a guess.
RIVAL_SOUNDS = 2
SHORT_ENGLISH_TARGET = 8  # drugs that are also short English words are never a target
# Words that start a noun phrase are never a syllable of a misheard drug.
DETERMINERS = frozenset(
    ["the", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their"]
)
NEGATIONS = frozenset(
    {"no", "not", "nor", "none", "never", "neither", "without", "denies", "denied", "deny"}
    | {"denying", "negative", "absent", "free", "cannot", "can't", "don't", "doesn't"}
    | {"didn't", "isn't", "wasn't", "aren't", "won't", "nothing", "nobody", "lacks"}
)
NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "half",
        "quarter",
        "once",
        "twice",
        "first",
        "second",
        "third",
        "dozen",
        "point",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_JOINER = re.compile(r"^(?:\s+|\s*-\s*)$")  # what may stand between pieces of one drug


@dataclass(frozen=True)
class Correction:
    """One replacement: characters [start, end) of the text become `name`."""

    start: int
    end: int
    heard: str
    name: str


def _deletions(code: str) -> set[str]:
    return {code[:index] + code[index + 1 :] for index in range(len(code))}


class DrugCorrector:
    """The lexicon's drug names indexed by their sound, for runs of heard words."""

    def __init__(self, names: Iterable[str]) -> None:
        english = english_words()
        self._names = frozenset(names)
        self._by_code: dict[str, set[str]] = {}
        self._by_deleted: dict[str, set[str]] = {}
        self._codes = {name: jellyfish.metaphone(name) for name in self._names}
        for name, code in self._codes.items():
            if name in english and len(name) < SHORT_ENGLISH_TARGET:
                continue
            self._by_code.setdefault(code, set()).add(name)
            for shorter in _deletions(code):
                self._by_deleted.setdefault(shorter, set()).add(name)

    def _candidates(self, code: str) -> set[str]:
        """Names whose code is within one edit of `code` (symmetric deletions)."""
        found = set(self._by_code.get(code, ())) | self._by_deleted.get(code, set())
        for shorter in _deletions(code):
            found |= self._by_code.get(shorter, set()) | self._by_deleted.get(shorter, set())
        return found

    def rivals_in_sound(self, heard: str, name: str) -> list[str]:
        """The other drugs whose sound code is as near `heard`'s (letters only, lower case) as
        `name`'s, where that is within one sound: "chlorothromicin" (XLR0RMSN) is one sound
        from chlorpromazine and one from clarithromycin. Farther off, every sound match has
        rivals, and this says nothing."""
        code = jellyfish.metaphone(heard)
        distance = jellyfish.levenshtein_distance(code, self._codes[name])
        if distance > 1:
            return []
        return [other for other in self._within_sounds(code, distance) if other != name]

    def _within_sounds(self, code: str, most: int) -> Iterator[str]:
        """Every drug (a target of the correction or not) whose sound code is within `most`
        edits of `code`."""
        for name, other in self._codes.items():
            if jellyfish.levenshtein_distance(code, other) <= most:
                yield name

    def is_drug(self, word: str) -> bool:
        """Whether `word` is a drug name of the lexicon, spelt right (a target of the
        correction or not: "aspirin" is English too)."""
        return word.lower() in self._names

    def best(self, heard: str, ordinary: bool = False) -> tuple[int, float, str] | None:
        """(sound distance, spelling similarity, name) of the one drug that `heard` (letters
        only, lower case) confidently stands for; `ordinary` when every heard word is
        ordinary English, which asks for a closer spelling."""
        code = jellyfish.metaphone(heard)
        floor = ORDINARY_RUN_SPELLING if ordinary else 0.0
        scored: list[tuple[int, float, str]] = []
        for name in self._candidates(code):
            distance = jellyfish.levenshtein_distance(code, jellyfish.metaphone(name))
            spelling = jellyfish.jaro_winkler_similarity(heard, name)
            if spelling < floor or (ordinary and distance > 0):
                continue
            if distance == 0 and spelling >= SAME_SOUND_SPELLING:
                scored.append((0, spelling, name))
            elif (
                distance == 1
                and spelling >= NEAR_SOUND_SPELLING
                and len(code) >= NEAR_SOUND_MIN_CODE
            ):
                scored.append((1, spelling, name))
        if not scored:
            return None
        scored.sort(key=lambda item: (item[0], -item[1]))
        if len(scored) > 1 and scored[1][:2] == scored[0][:2]:
            return None  # two drugs fit equally well: not confident
        if scored[0][0] == 1 and self._rivalled_in_spelling(heard, code, scored[0]):
            return None
        return scored[0]

    def _rivalled_in_spelling(self, heard: str, code: str, found: tuple[int, float, str]) -> bool:
        """Whether another drug, two sounds away, is spelt at least as like `heard` as the
        one sound away `found`: "acetilopram" is citalopram (ASTLPRM, STLPRM) by sound but
        escitalopram by spelling, and which of the two was said is a guess."""
        _, spelling, name = found
        return any(
            other != name and jellyfish.jaro_winkler_similarity(heard, other) >= spelling
            for other in self._within_sounds(code, RIVAL_SOUNDS)
        )

    def corrections(self, text: str) -> list[Correction]:
        """The replacements to make in `text`, left to right, never overlapping."""
        words = list(_WORD.finditer(text))
        found: list[Correction] = []
        index = 0
        while index < len(words):
            correction = self._at(text, words, index)
            if correction is None:
                index += 1
                continue
            found.append(correction)
            index += len(_WORD.findall(correction.heard))
        return found

    def neighbours(self, text: str) -> list[str]:
        """Drugs that runs of words in `text` may stand for (within one sound, spelt
        loosely alike), closest first: the names worth a second decode, not a correction."""
        words = list(_WORD.finditer(text))
        scored: dict[str, float] = {}
        for index in range(len(words)):
            for _, heard, ordinary in self._runs(text, words, index):
                code = jellyfish.metaphone(heard)
                floor = SUSPECT_ORDINARY_SPELLING if ordinary else SUSPECT_SPELLING
                for name in self._candidates(code):
                    spelling = jellyfish.jaro_winkler_similarity(heard, name)
                    if spelling >= floor and spelling > scored.get(name, 0.0):
                        scored[name] = spelling
        return sorted(scored, key=lambda name: (-scored[name], name))

    def _runs(
        self, text: str, words: list[re.Match[str]], index: int
    ) -> Iterable[tuple[list[re.Match[str]], str, bool]]:
        """(words, letters, all ordinary words) of each run of words starting at words[index] that
        may be a misheard drug: one to three correctable words joined by spaces or hyphens."""
        run: list[re.Match[str]] = []
        for word in words[index : index + MAX_WORDS]:
            if run and not _JOINER.match(text[run[-1].end() : word.start()]):
                break
            if not correctable(word.group()) or self.is_drug(word.group()):
                break
            if run and len(word.group()) > MAX_ORDINARY_PIECE and is_ordinary_word(word.group()):
                break
            run.append(word)
        for size in range(1, len(run) + 1):
            pieces = [piece.group() for piece in run[:size]]
            heard = "".join(pieces).lower()
            ordinary = all(map(is_ordinary_word, pieces))
            if size == 1 and (len(heard) < MIN_NAME_LENGTH or ordinary):
                continue
            if size > 1 and len(heard) < MIN_JOINED:
                continue
            yield run[:size], heard, ordinary

    def _at(self, text: str, words: list[re.Match[str]], index: int) -> Correction | None:
        """The best correction of a run of words starting at words[index], if any: the
        closest sound first, then the closest spelling, then the longer run."""
        choices: list[tuple[int, float, int, str, int, int]] = []
        for run, heard, ordinary in self._runs(text, words, index):
            if (found := self.best(heard, ordinary)) is not None:
                distance, spelling, name = found
                choices.append(
                    (distance, -spelling, -len(run), name, run[0].start(), run[-1].end())
                )
        if not choices:
            return None
        _, _, _, name, start, end = min(choices)
        spelt = name.capitalize() if text[start : start + 1].isupper() else name
        return Correction(start, end, text[start:end], spelt)

    def correct(self, text: str) -> str:
        """`text` with every confident correction made."""
        parts: list[str] = []
        position = 0
        for correction in self.corrections(text):
            parts += [text[position : correction.start], correction.name]
            position = correction.end
        parts.append(text[position:])
        return "".join(parts)


def correctable(word: str) -> bool:
    """Whether a heard word may be part of a drug name (see the module docstring)."""
    lower = word.lower().replace("’", "'")
    if not word.isalpha() or lower in NEGATIONS | NUMBER_WORDS | DETERMINERS:
        return False
    return not (len(word) >= 2 and sum(char.isupper() for char in word) >= 2)


_BUILD = threading.Lock()


@cache
def _built() -> DrugCorrector:
    return DrugCorrector(drug_names())


def drug_corrector() -> DrugCorrector:
    """The corrector over the built-in lexicon, built once (about a second: the daemon
    builds it in a worker thread at start, and a caller in the meantime waits for it)."""
    with _BUILD:
        return _built()
