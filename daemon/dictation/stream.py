"""Streaming dictation: transcribe a growing window in the background, commit what is stable.

While audio arrives, provisional passes re-transcribe the window [offset, now)
for the partial text. Words two passes agree on are committed (LocalAgreement),
and a window grown long is trimmed behind them, so every pass stays short.

When the speaker pauses, the window up to the pause is decoded once more as
the file API decodes it: with the temperature fallback and the drug-name rescue.
That hypothesis settles the window, replacing what provisional passes committed
in it. A provisional pass hears an utterance cut off mid-word and commits what
two such guesses agree on; on the clinical bench dictations that lost a negation
("She can raise a panic" for "She denies headache"), a drug name ("met for from
in") and once a whole sentence, which batch kept.

Words become final at a pause after a sentence once a hearing of the words after
it still ends the sentence there; the window then starts at the final point
before, so the finished sentence is context for the next. On stop only what is
not settled is decoded, and nothing when a pause before release settled every
word said: that is why the text lands fast after release.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from daemon.dictation.agreement import (
    SENTENCE_ENDS,
    LocalAgreement,
    Word,
    absolute,
    join_words,
)
from daemon.dictation.postprocess import TextRules, apply_rules
from daemon.errors import BusyError, DictationError
from daemon.speech.audio import SAMPLE_RATE, Audio
from daemon.speech.service import SpeechService
from daemon.speech.types import TranscribeOptions

log = logging.getLogger(__name__)

FRAME_S = 0.03  # the energy test's frame
FIRST_PASS_S = 1.0  # shorter fragments make Whisper guess ("Bye bye.")
MIN_NEW_AUDIO_S = 1.0  # audio a pass waits for before it runs again...
PAUSE_S = 0.25  # ...unless the speaker paused this long: decode now, release is near
QUIET_TAIL_S = 0.09  # three quiet frames: a pause may be starting
PROVISIONAL_BEAM = 1  # greedy: a provisional pass only shows the partial text
# A window is cut after each settled sentence (in its pause). One that still grows this
# long (pauses mid-sentence only) is trimmed behind settled words, keeping some as
# acoustic context: Whisper guesses less at a window's start (3 s of context gave a
# word error rate of 0.20 against 0.25 with 1 s on the 40 s bench dictation). Trimmed
# after 6 s, windows began mid-sentence and words came twice ("the heart Blood rate");
# a pass costs Whisper's 30 s encoder run whatever the window's length, so a longer
# window costs little.
TRIM_AFTER_S = 15.0
KEEP_CONTEXT_S = 3.0
FORCE_COMMIT_S = 25.0  # a window this long commits its tail: Whisper sees 30 s at most
FINAL_RETRIES = 120  # x 0.25 s
SPEECH_RMS = 0.01  # about -40 dBFS: quieter 30 ms frames count as silence
SPEECH_MIN_S = 0.12  # this much loud audio after the last pass needs another pass
GAP_S = 0.15  # a quiet stretch this long between two words is a pause the window may start in
# Whisper's word times can be a few tenths of a second off: a pause is looked for this
# far around the gap it gives between two words.
WORD_TIME_SLACK_S = 0.3

PartialCallback = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class FinalText:
    """The end result of one dictation."""

    text: str
    audio_seconds: float
    truncated: bool = False  # audio beyond the maximum length was not transcribed


def within_room(samples: Audio, room: int, truncated: bool) -> tuple[Audio, bool]:
    """The samples that fit a dictation's remaining `room`, and whether it is now truncated
    (said once in the log; the final message says it too)."""
    if len(samples) <= room:
        return samples, truncated
    if not truncated:
        log.warning("dictation reached its maximum length; later audio is ignored")
    return samples[: max(0, room)], True


def _loudness(audio: Audio) -> np.ndarray:
    """Whether each 30 ms frame is loud (speech) rather than quiet."""
    frame = int(FRAME_S * SAMPLE_RATE)
    usable = len(audio) // frame * frame
    rms = np.sqrt(np.mean(audio[:usable].reshape(-1, frame) ** 2, axis=1))
    return np.asarray(rms > SPEECH_RMS)


def _loud_frames(audio: Audio) -> int:
    return int(np.count_nonzero(_loudness(audio)))


def quiet_gap(audio: Audio, start: float, end: float) -> float | None:
    """The middle of the longest quiet stretch of at least GAP_S between `start` and
    `end` (seconds into `audio`), or None: where audio can be cut without cutting a word."""
    first = max(0, int(start / FRAME_S))
    loud = _loudness(audio)[first : max(first, int(end / FRAME_S))]
    best: tuple[int, int] = (0, 0)  # length, index of the run's first frame
    run = 0
    for index, frame_loud in enumerate(loud):
        run = 0 if frame_loud else run + 1
        best = max(best, (run, index - run + 1))
    length, begin = best
    if length * FRAME_S < GAP_S:
        return None
    return (first + begin + length / 2) * FRAME_S


def has_speech(audio: Audio) -> bool:
    """Whether audio holds enough loud frames to be worth a pass (a cheap energy test)."""
    return _loud_frames(audio) * FRAME_S >= SPEECH_MIN_S


def settle_point(audio: Audio) -> int | None:
    """Where a settling pass may end, in samples into `audio`: in the latest pause that
    follows speech (PAUSE_S without one loud frame: not the closure of a consonant, which
    leaves loud frames in so short a stretch), or at the end when the pause lasts to it.
    None without such a pause."""
    loud = _loudness(audio)
    need = math.ceil(PAUSE_S / FRAME_S)
    frame = int(FRAME_S * SAMPLE_RATE)
    index = len(loud) - 1
    while index >= 0:
        if loud[index]:
            index -= 1
            continue
        end = index + 1
        while index >= 0 and not loud[index]:
            index -= 1
        begin = index + 1
        if end - begin >= need and np.count_nonzero(loud[:begin]) * FRAME_S >= SPEECH_MIN_S:
            return len(audio) if end == len(loud) else (begin + end) // 2 * frame
    return None


def _ends_sentence(word: Word) -> bool:
    return word.text.strip().endswith(SENTENCE_ENDS)


class DictationStream:
    """One dictation: feed PCM, get partials through a callback, then `finish()`."""

    def __init__(
        self,
        speech: SpeechService,
        options: TranscribeOptions,
        rules: TextRules,
        on_partial: PartialCallback,
        model: str | None = None,
        max_seconds: float = 1800.0,
    ) -> None:
        self._speech = speech
        self._options = replace(options, word_timestamps=True)
        self._rules = rules
        self._on_partial = on_partial
        self.model = model
        self._max_samples = int(max_seconds * SAMPLE_RATE)
        self._agreement = LocalAgreement()
        self._window = np.zeros(0, dtype=np.float32)  # audio from `offset` on
        self._offset = 0.0
        self._total = 0  # samples received
        self._covered = 0  # samples the latest finished pass had seen
        self._settled_to = 0  # samples the latest settling pass decoded
        self._final_to = 0.0  # seconds: words before this are final, the audio is context
        self._passes = 0
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.truncated = False

    @property
    def audio_seconds(self) -> float:
        return self._total / SAMPLE_RATE

    def start(self) -> None:
        """Start the background passes."""
        self._task = asyncio.create_task(self._run(), name="dictation-passes")

    def feed(self, samples: Audio) -> None:
        """Append audio; past the maximum length it is dropped, and the final says so."""
        samples, self.truncated = within_room(
            samples, self._max_samples - self._total, self.truncated
        )
        self._window = np.concatenate((self._window, samples))
        self._total += len(samples)
        self._wake.set()

    def _window_start(self) -> int:
        return self._total - len(self._window)

    def _settle_end(self) -> int | None:
        """Where a settling pass is due to end, in samples into the window: in a pause
        after speech not yet settled. None while there is none."""
        start = max(0, self._settled_to - self._window_start())
        point = settle_point(self._window[start:])
        return None if point is None else start + point

    def _pass_due(self, settle_end: int | None) -> bool:
        if self._total < FIRST_PASS_S * SAMPLE_RATE:
            return False
        if settle_end is not None:
            # Settle now, so the text is ready when the key is released and the final
            # step has nothing left to decode. A pass in flight while the speaker
            # paused does not make this one be missed: the pause is looked for
            # anywhere after the last settled audio.
            return True
        new = self._total - self._covered
        if new >= MIN_NEW_AUDIO_S * SAMPLE_RATE:
            # Quiet just now: the speaker may be stopping. A provisional pass would hear
            # the words cut off and hold up the settling pass, so wait for the pause
            # (or the next word), a little.
            quiet = _loud_frames(self._window[-int(QUIET_TAIL_S * SAMPLE_RATE) :]) == 0
            return not quiet or new >= (MIN_NEW_AUDIO_S + PAUSE_S) * SAMPLE_RATE
        return False

    async def _run(self) -> None:
        while not self._stopping:
            settle_end = self._settle_end()
            if not self._pass_due(settle_end):
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                await self._pass(settle_end)
            except BusyError:
                await asyncio.sleep(0.2)  # the engine serves others; the final pass catches up
                continue
            if settle_end is None:
                self._agreement.flush()
                self._trim()
            await self._on_partial(self.partial_text())

    async def _pass(self, settle_end: int | None) -> None:
        """Decode the whole window provisionally; or, with `settle_end`, the window up to
        there as final, as the file API decodes, replacing what was committed in it."""
        settle = settle_end is not None
        window, offset = self._window[:settle_end], self._offset
        seen = self._window_start() + len(window)
        # Only the caller's prompt (and the clinical hint), as the file API has: prompted
        # with the words said before the window as well, Whisper wrote them again in it
        # ("She takes chest pain." after "denies chest pain").
        # The fallback and the rescue (the engine runs it only with the fallback) cost a
        # second decode where they act, and the beam search several hypotheses: only
        # settling passes pay for them; provisional words are heard again when they settle.
        options = replace(
            self._options,
            fallback=settle,
            beam_size=self._options.beam_size if settle else PROVISIONAL_BEAM,
            context_seconds=max(0.0, self._final_to - offset),
        )
        began = time.perf_counter()
        transcript = await self._speech.async_transcribe(window, options, self.model)
        log.debug(
            "%s pass %d: %.1f s window at %.1f s (final to %.1f s) took %.2f s",
            "settling" if settle else "provisional",
            self._passes,
            len(window) / SAMPLE_RATE,
            offset,
            self._final_to,
            time.perf_counter() - began,
        )
        words = [
            Word(w.start, w.end, w.text) for segment in transcript.segments for w in segment.words
        ]
        if settle:
            self._settled_to = seen
            self._cut_after_sentence(self._agreement.settle(words, offset, self._final_to))
        else:
            self._agreement.insert(words, offset)
            self._confirm_sentence_end(words, offset)
        self._covered = max(self._covered, seen)
        self._passes += 1
        if self._options.language is None and len(window) >= 2 * SAMPLE_RATE:
            # Detect once, on enough audio: detection costs an encoder run per pass.
            self._options = replace(self._options, language=transcript.language)

    def _trim(self) -> None:
        window_s = len(self._window) / SAMPLE_RATE
        if window_s > FORCE_COMMIT_S:
            # Whisper sees 30 s at most: commit what is there, and drop audio that
            # produced no words (noise), keeping a little context.
            self._agreement.finish()
            end = self._offset + window_s
            self._final_to = max(self._agreement.last_committed_end, end - KEEP_CONTEXT_S)
            self._cut(self._final_to)
        elif window_s > TRIM_AFTER_S:
            # Only settled words are final: a trim behind provisional ones froze their
            # errors ("130 30 over 80 5").
            point = self._agreement.trim_point(KEEP_CONTEXT_S, self._settled_to / SAMPLE_RATE)
            if point is not None and point > self._final_to:
                self._final_to = point
                self._cut(point)

    def _cut_after_sentence(self, words: list[Word]) -> None:
        """Make the words final up to the pause after the last settled sentence that
        another word follows, and start the window at the previous such pause: the
        sentence before stays as context (a window starting cold misheard its first
        words: "On an ammunition this blood pressure", where batch heard "examination").
        The sentence the audio ends in stays open: the pause may be a comma's, and
        Whisper ends a clip with a full stop either way. The cut is made in quiet audio,
        never by the word times alone: a word's tail left at the window's start came back
        as a word of its own ("meals. meal.")."""
        for word, following in reversed(list(pairwise(words))):
            if _ends_sentence(word) and self._cut_in_pause(word, following.start):
                return

    def _confirm_sentence_end(self, words: list[Word], offset: float) -> None:
        """A provisional pass that hears the last settled sentence end again, and words
        after it, shows that its pause was a sentence's: the words become final up to
        it, as `_cut_after_sentence` does, without waiting for the next pause. The
        settling pass at key release then decodes one sentence less."""
        settled_end = self._settled_to / SAMPLE_RATE
        settled = [w for w in self._agreement.committed if w.end <= settled_end]
        if not settled or not _ends_sentence(last := settled[-1]) or last.end <= self._final_to:
            return
        for word, following in pairwise(absolute(words, offset)):
            if _ends_sentence(word) and abs(word.end - last.end) <= WORD_TIME_SLACK_S:
                self._cut_in_pause(last, following.start)
                return

    def _cut_in_pause(self, word: Word, next_start: float) -> bool:
        """Make the words final up to a pause found between `word` and `next_start`, and
        start the window at the previous such point; False when there is no pause."""
        gap = quiet_gap(
            self._window,
            word.end - WORD_TIME_SLACK_S - self._offset,
            next_start + WORD_TIME_SLACK_S - self._offset,
        )
        if gap is None:
            return False
        # Never before the end Whisper gave the word: it is final from here on.
        point = max(self._offset + gap, word.end)
        if point > self._final_to:
            self._cut(self._final_to)
            self._final_to = point
        return True

    def _cut(self, point: float) -> None:
        drop = int((point - self._offset) * SAMPLE_RATE)
        if drop > 0:
            self._window = self._window[drop:]
            self._offset = point

    def _committed_text(self) -> str:
        return join_words(self._agreement.committed)

    async def finish(self) -> FinalText:
        """Stop streaming and return the final text; decodes only what is not yet settled."""
        began = time.perf_counter()
        await self._stop_passes()
        log.debug("finish: waited %.2f s for the pass in flight", time.perf_counter() - began)
        unsettled = self._window[max(0, self._settled_to - self._window_start()) :]
        if self._passes == 0 or has_speech(unsettled):
            await self._final_pass()
        else:
            self._agreement.finish()  # what provisional passes heard in the quiet, if any
        text = apply_rules(self._committed_text(), self._rules)
        return FinalText(text, self.audio_seconds, self.truncated)

    async def _final_pass(self) -> None:
        # Busy with other clients' passes: wait a while rather than lose the dictation.
        for _ in range(FINAL_RETRIES):
            try:
                await self._pass(settle_end=len(self._window))
                return
            except BusyError:
                await asyncio.sleep(0.25)
        raise DictationError("the speech engine stayed busy; the dictation was not finished")

    async def _stop_passes(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            # A pass in flight finishes first: its hypothesis is worth keeping.
            await asyncio.shield(self._task)

    async def aclose(self) -> None:
        """Stop the background passes without a final result (client gone or cancelled)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def partial_text(self) -> str:
        """Committed plus tentative text, with the text rules applied."""
        text = join_words([*self._agreement.committed, *self._agreement.tail()])
        return apply_rules(text, self._rules)
