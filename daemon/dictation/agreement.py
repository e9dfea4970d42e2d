"""Local agreement: commit streamed words once two passes in a row agree on them.

While the key is held, the recogniser re-transcribes a growing audio window
(from `offset` to now) again and again. Each pass is a hypothesis. A word is
committed once it sits in the longest common prefix of the last two hypotheses
(the LocalAgreement-2 policy of whisper_streaming). Words are compared on
normalised text: case and punctuation are ignored. Committed words still inside
the window are not final: a hypothesis of the whole window taken when the
speaker paused (`settle`) replaces them, as the whole utterance heard at once is
heard better than its pieces were.

Before comparing, a new hypothesis is cleaned against what is already
committed: words that end at or before the end of the last committed word are
dropped (they were heard, and committed, already), and when the hypothesis
starts within a second of that end, up to five leading words that repeat the
committed tail are dropped too (the recogniser, hearing the end of audio
already committed again, with word times a little off, says its last words
again). A settling hypothesis is not cleaned so: it is all the audio after the
last final word, and a word said twice there was said twice ("No. No pain").
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from daemon.errors import DictationError

log = logging.getLogger(__name__)

MAX_NGRAM = 5
REPEAT_WINDOW = 1.0  # seconds between the committed end and a hypothesis start
SENTENCE_ENDS = (".", "?", "!")


@dataclass(frozen=True)
class Word:
    """One recognised word; times are absolute seconds in the stream."""

    start: float
    end: float
    text: str


def normalise(text: str) -> str:
    """Text as compared between passes: lowercase, letters and digits only."""
    return "".join(character for character in text.casefold() if character.isalnum())


def join_words(words: Sequence[Word]) -> str:
    """The words as text with the model's own spacing: Whisper starts a word with a space
    and a piece of one without ("62", "-year", "-old"; "follow", "-up"), which a space
    between every two words would tear apart ("62 -year -old"), as the file API does not.
    A word that starts a new pass without a space still gets one after a letter or digit."""
    parts: list[str] = []
    for index, word in enumerate(words):
        text = word.text
        if not text.strip():
            continue
        if parts and not text[0].isspace() and _starts_new_word(words, index):
            text = " " + text
        parts.append(text)
    return " ".join("".join(parts).split())


def _starts_new_word(words: Sequence[Word], index: int) -> bool:
    """A spaceless word right after a word that ended earlier in time (another pass or
    segment), beginning with a letter or digit, is a word of its own."""
    previous = words[index - 1]
    return words[index].text[0].isalnum() and words[index].start > previous.end + 0.02


def absolute(words: Sequence[Word], offset: float) -> list[Word]:
    """The words with times made absolute: a window's times count from its `offset`."""
    return [replace(word, start=word.start + offset, end=word.end + offset) for word in words]


def _middle(word: Word) -> float:
    return (word.start + word.end) / 2


class LocalAgreement:
    """Commit state of one dictation stream; call `insert` then `flush` per pass."""

    def __init__(self) -> None:
        self._committed: list[Word] = []
        self._previous: list[Word] = []  # uncommitted words of the last flushed hypothesis
        self._new: list[Word] = []
        self._pending = False
        self._offset = 0.0

    @property
    def committed(self) -> list[Word]:
        """Every word committed so far, in order."""
        return list(self._committed)

    @property
    def last_committed_end(self) -> float:
        """End of the last committed word, 0.0 before any."""
        return self._committed[-1].end if self._committed else 0.0

    @property
    def offset(self) -> float:
        """Start of the audio window of the latest hypothesis, in stream seconds."""
        return self._offset

    def committed_text(self) -> str:
        """The committed words as text."""
        return join_words(self._committed)

    def tail(self) -> list[Word]:
        """The uncommitted words of the latest hypothesis."""
        return list(self._new if self._pending else self._previous)

    def insert(self, words: Sequence[Word], offset: float) -> None:
        """Take a new hypothesis of the window starting at `offset` (word times relative to it).

        Two inserts without a flush between them make the first one the
        hypothesis the second is compared with.
        """
        self._move(offset)
        if self._pending:
            self._previous = self._new
        heard = absolute(words, offset)
        if self._committed:
            cutoff = self.last_committed_end
            heard = [word for word in heard if word.end > cutoff]
            heard = self._without_repeated_tail(heard)
        self._new = heard
        self._pending = True

    def _move(self, offset: float) -> None:
        if offset < self._offset:
            raise DictationError("the audio window cannot start earlier than before")
        self._offset = offset

    def _without_repeated_tail(self, words: list[Word]) -> list[Word]:
        if not words or abs(words[0].start - self.last_committed_end) >= REPEAT_WINDOW:
            return words
        longest = min(MAX_NGRAM, len(words), len(self._committed))
        for size in range(longest, 0, -1):
            tail = [normalise(word.text) for word in self._committed[-size:]]
            head = [normalise(word.text) for word in words[:size]]
            if tail == head:
                log.debug("dropping %d word(s) that repeat the committed text", size)
                return words[size:]
        return words

    def settle(self, words: Sequence[Word], offset: float, final_to: float) -> list[Word]:
        """Take a hypothesis of the whole window from `offset` (word times relative to
        it) as settled from `final_to` on: its words there replace the words committed
        there, and any uncommitted ones. Before `final_to` (a pause: no word straddles
        it, so a word is on the side of its middle) the committed words stay, and the
        window's audio was only context. Returns the words it committed."""
        self._move(offset)
        self._committed = [word for word in self._committed if _middle(word) < final_to]
        settled = [word for word in absolute(words, offset) if _middle(word) >= final_to]
        self._committed.extend(settled)
        self._previous, self._new, self._pending = [], [], False
        return settled

    def flush(self) -> list[Word]:
        """Commit and return the words the latest two hypotheses agree on."""
        agreed: list[Word] = []
        for old, new in zip(self._previous, self._new, strict=False):
            if normalise(old.text) != normalise(new.text):
                break
            agreed.append(new)
        self._committed.extend(agreed)
        self._previous = self._new[len(agreed) :]
        self._new = []
        self._pending = False
        return agreed

    def finish(self) -> list[Word]:
        """Commit and return the tail as it stands (the stream has ended)."""
        rest = self.tail()
        self._committed.extend(rest)
        self._previous, self._new, self._pending = [], [], False
        return rest

    def trim_point(self, min_keep: float, before: float = math.inf) -> float | None:
        """Where the audio window may now start; None when it should not move.

        The point is the end of a committed word that lies after the current
        window start, no later than `before`, and at least `min_keep` seconds
        before the end of the last committed word, so the recogniser keeps that
        much already-committed audio as context. The end of the latest such word
        that ends a sentence is preferred; failing one, the latest such word's
        end is used.
        """
        limit = min(self.last_committed_end - min_keep, before)
        candidates = [word for word in self._committed if self._offset < word.end <= limit]
        if not candidates:
            return None
        for word in reversed(candidates):
            if word.text.strip().endswith(SENTENCE_ENDS):
                return word.end
        return candidates[-1].end
