"""A second, prompted decode of only the segments where a drug name seems misheard.

A prompt naming every drug would not fit (Whisper's prompt holds 224 tokens; the lexicon
has about 1,100 names), and a fixed list per specialty misses the rest and can cost a
negation (README, "Dictation accuracy"). So the first decode runs without one; then the
runs of one to three words that sound like a drug (Metaphone within one sound, a looser
spelling match than the confident correction's) name their few phonetic neighbours, and
only that segment's audio is decoded again with a prompt of just those names: Whisper
then chooses among drugs it was told of, hearing the audio, where the post-correction
could only guess from the letters.

From the second decode only drug names are taken (a misspelt one, "Metaprolol", spelt
first as the lexicon does), each in place of the first-heard words in its time by
Whisper's word timestamps, when those sound alike and hold no number, negation or drug.
Everything else stays as first heard, so a prompt cannot rewrite the sentence
("Laption to the eyes").

The one other word taken is "denies", the negation Whisper mishears most: espeak-ng's
"He denies blood in the stool" came out "He can hide blood in the stool", "she denies"
as "cheat the eyes". The prompt opens with a line of a note that says it, and the
second hearing's "denies" replaces the one to three first-heard words in its time only
when Whisper itself doubted one of them (`LOW_PROBABILITY`) and none is a number, a
negation, a drug or a word that asserts a finding: a confidently heard "he dies" or
"he defines" stays, and a doubted "she has pain" too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

import jellyfish

from daemon.speech.audio import SAMPLE_RATE, Audio
from daemon.speech.correct import NEGATIONS, NUMBER_WORDS, DrugCorrector
from daemon.speech.types import Segment, WordTiming

MAX_NAMES = 6  # phonetic neighbours named first in the prompt
PADDING_S = 0.2  # audio kept around a segment, so its first and last sounds are whole
# Whisper's own doubt about a word (word_timestamps): below this, the segment is suspect.
LOW_PROBABILITY = 0.5
# Spelling likeness (Jaro-Winkler) of the replaced words and the drug: "at or master tin"
# and atorvastatin 0.92, "the pipeline" and amlodipine 0.52 (kept as heard).
SOUNDS_ALIKE = 0.65
# Or, where Whisper doubted one of the replaced words, the share of their sound codes
# (Metaphone) in common: "yellow neutral" and albuterol (YLNTRL, ALBTRL) 0.67, though
# spelt 0.63; "licensed" and lisinopril (LSNST, LSNPRL) 0.5.
SOUNDS_ALIKE_DOUBTED = 0.6
MAX_DRUG_WORDS = 5  # first-heard words one drug may replace ("at or master tin": four)
_PIECE = re.compile(r"\s*\S+")
# The second decode's first line: a note's register, with the negation it hears best.
NEGATION_LINE = "He denies pain."
DENIES = "denies"
MAX_DENIES_WORDS = 3  # "cheat the eyes"
# Words that assert a finding: "denies" in their place would turn it round, however
# doubted ("She has pain" is never "She denies pain").
ASSERTIONS = frozenset(
    {"has", "have", "had", "having", "is", "was", "are", "were", "with", "reports"}
    | {"reported", "complains", "complained", "endorses", "endorsed", "admits", "admitted"}
    | {"describes", "described", "notes", "noted", "feels", "felt", "presents", "shows"}
    | {"takes", "took", "uses", "used", "needs", "wants", "gets", "got", "yes"}
)

Redecode = Callable[[Audio, str], Sequence[Segment]]


def _pieces(segment: Segment) -> list[WordTiming]:
    """The segment's words with their leading spaces (timings when it has them)."""
    if segment.words:
        return list(segment.words)
    return [
        WordTiming(segment.start, segment.end, match.group(), 1.0)
        for match in _PIECE.finditer(segment.text)
    ]


def _key(piece: WordTiming) -> str:
    return re.sub(r"[^a-z0-9]", "", piece.text.lower())


def _protected(piece: WordTiming) -> bool:
    """A number, a number word or a negation: never replaced, never brought in."""
    key = _key(piece)
    return any(c.isdigit() for c in key) or key in NEGATIONS | NUMBER_WORDS


def is_suspect(corrector: DrugCorrector, segment: Segment) -> bool:
    """Whether the segment may hold a misheard drug or "denies": Whisper doubted a word
    that is not a number or a negation, or a run of words sounds like a drug."""
    doubted = any(
        w.probability < LOW_PROBABILITY and not _protected(w) and not corrector.is_drug(_key(w))
        for w in segment.words
    )
    return doubted or bool(corrector.neighbours(segment.text))


def prompt_for(corrector: DrugCorrector, text: str, common: Sequence[str]) -> str:
    """The second decode's prompt: a line of a note that says "denies", then a medication
    line: the drugs the heard words sound like first, then the `common` ones (the
    configured specialty's or general)."""
    names = dict.fromkeys([*corrector.neighbours(text)[:MAX_NAMES], *common])
    return f"{NEGATION_LINE} Medications: {', '.join(names)}."


def _letters(words: Sequence[WordTiming]) -> str:
    return "".join(map(_key, words))


def _copied_prompt(corrector: DrugCorrector, words: Sequence[WordTiming]) -> bool:
    """Three drug names within five words: Whisper wrote out the prompt's list."""
    flags = [corrector.is_drug(_key(word)) for word in words]
    return any(sum(flags[i : i + 5]) >= 3 for i in range(len(flags)))


Place = tuple[int, int, WordTiming]  # old[start:end] becomes the word
Taker = Callable[[DrugCorrector, list[WordTiming], list[WordTiming]], list[Place]]


def _heard_during(old: list[WordTiming], word: WordTiming, most: int) -> tuple[int, int] | None:
    """Where in `old` the one to `most` words heard in `word`'s time are (by their middles):
    by time, not by counting the words around it, which are often heard differently too
    ("can hide, he'll kill you" and "denies alcohol use"; "Oh, may preserve 20mg" and
    "Omeprazole 20 milligrams")."""
    within = [i for i, heard in enumerate(old) if word.start <= _middle(heard) <= word.end]
    if not within or len(within) > most:
        return None
    return within[0], within[-1] + 1


def _drugs_in(
    corrector: DrugCorrector, old: list[WordTiming], new: list[WordTiming]
) -> list[Place]:
    """Each drug name of `new` in place of the words of `old` heard in its time, when those
    sound alike, hold no number, negation or drug, and sound no less like another drug
    (the prompt may not have named that one: "chlorothromicin" became chlorpromazine where
    clarithromycin was said)."""
    places: list[Place] = []
    for drug in new:
        if not corrector.is_drug(_key(drug)):
            continue
        span = _heard_during(old, drug, MAX_DRUG_WORDS)
        if span is None or (places and span[0] < places[-1][1]):
            continue
        middle = old[span[0] : span[1]]
        if any(_kept(corrector, word) for word in middle):
            continue
        letters, name = _letters(middle), _key(drug)
        if _sounds_like(middle, name) and not corrector.rivals_in_sound(letters, name):
            places.append((*span, drug))
    return places


def _sounds_like(heard: list[WordTiming], drug: str) -> bool:
    """Whether the heard words may be `drug` misheard: spelt alike, or, where Whisper
    doubted one of them, alike in sound codes."""
    letters = _letters(heard)
    if jellyfish.jaro_winkler_similarity(letters, drug) >= SOUNDS_ALIKE:
        return True
    if all(word.probability >= LOW_PROBABILITY for word in heard):
        return False
    heard_code, drug_code = jellyfish.metaphone(letters), jellyfish.metaphone(drug)
    apart = jellyfish.levenshtein_distance(heard_code, drug_code)
    return 1 - apart / max(len(heard_code), len(drug_code)) >= SOUNDS_ALIKE_DOUBTED


def _denies_in(
    corrector: DrugCorrector, old: list[WordTiming], new: list[WordTiming]
) -> list[Place]:
    """The one "denies" of `new`, in place of the words of `old` heard in its time (one to
    three, of which Whisper doubted one and none is a number, a negation, a drug or a word
    that asserts a finding)."""
    found = [word for word in new if _key(word) == DENIES]
    if len(found) != 1:
        return []
    span = _heard_during(old, found[0], MAX_DENIES_WORDS)
    if span is None:
        return []
    middle = old[span[0] : span[1]]
    if any(_kept(corrector, word) or _key(word) in ASSERTIONS for word in middle):
        return []
    return [(*span, found[0])] if any(w.probability < LOW_PROBABILITY for w in middle) else []


def _kept(corrector: DrugCorrector, word: WordTiming) -> bool:
    """A number, a number word, a negation or a drug: never replaced by the second hearing."""
    return _protected(word) or corrector.is_drug(_key(word))


def _middle(word: WordTiming) -> float:
    return (word.start + word.end) / 2


def _take(
    first: list[WordTiming], second: list[WordTiming], corrector: DrugCorrector, taker: Taker
) -> list[WordTiming]:
    """`first`, with each word `taker` finds in `second` put where it belongs."""
    matcher = difflib.SequenceMatcher(
        a=list(map(_key, first)), b=list(map(_key, second)), autojunk=False
    )
    merged: list[WordTiming] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old = first[i1:i2]
        done = 0
        for start, end, word in taker(corrector, old, second[j1:j2]) if tag == "replace" else ():
            merged.extend([*old[done:start], _as_heard(old[start:end], word)])
            done = end
        merged.extend(old[done:])
    return merged


def merge(
    first: list[WordTiming], second: list[WordTiming], corrector: DrugCorrector
) -> list[WordTiming]:
    """`first`, where `second` heard drug names, then "denies", in place of other words,
    with those words replaced by them (`_drugs_in`, `_denies_in`); nothing else of
    `second` is taken. A drug `second` misspelt ("Metaprolol") is first spelt as the
    lexicon does, by the confident correction."""
    if _copied_prompt(corrector, second):
        return first
    second = [replace(word, text=corrector.correct(word.text)) for word in second]
    for taker in (_drugs_in, _denies_in):
        first = _take(first, second, corrector, taker)
    return first


def _as_heard(heard: list[WordTiming], drug: WordTiming) -> WordTiming:
    """`drug` with the space, the capital and the punctuation after it that the words it
    replaces had."""
    first, last = heard[0], heard[-1]
    text = drug.text.strip().rstrip(",.;:!?") + last.text[len(last.text.rstrip(",.;:!?")) :]
    if first.text.lstrip()[:1].isupper():
        text = text[:1].upper() + text[1:]
    if first.text[:1].isspace():
        text = " " + text
    return replace(drug, text=text)


def rescue(
    segments: Sequence[Segment],
    audio: Audio,
    corrector: DrugCorrector,
    redecode: Redecode,
    common: Sequence[str],
) -> list[Segment]:
    """The segments, each that seems to hold a misheard drug decoded again with a prompt
    of its phonetic neighbours and merged (see the module docstring)."""
    rescued: list[Segment] = []
    for segment in segments:
        if not is_suspect(corrector, segment):
            rescued.append(segment)
            continue
        start = max(0.0, segment.start - PADDING_S)
        clip = audio[int(start * SAMPLE_RATE) : int((segment.end + PADDING_S) * SAMPLE_RATE)]
        again = [
            replace(word, start=word.start + start, end=word.end + start)
            for other in redecode(clip, prompt_for(corrector, segment.text, common))
            for word in _pieces(other)
        ]
        words = merge(_pieces(segment), again, corrector)
        text = "".join(word.text for word in words)
        rescued.append(replace(segment, text=text, words=tuple(words) if segment.words else ()))
    return rescued
