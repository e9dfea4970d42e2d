"""Streaming dictation: transcribe a growing window in the background, commit what is stable.

While audio arrives, passes re-transcribe the window [offset, now). Words two
passes agree on are committed (LocalAgreement) and the window is trimmed behind
them, so memory stays bounded and every pass stays short. On stop only the
uncommitted tail is decoded again, and not even that when the audio after the
last pass holds no speech: that is why the text lands fast after release.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import numpy as np

from daemon.dictation.agreement import LocalAgreement, Word, join_words
from daemon.dictation.postprocess import TextRules, apply_rules
from daemon.errors import BusyError, DictationError
from daemon.speech.audio import SAMPLE_RATE, Audio
from daemon.speech.service import SpeechService
from daemon.speech.types import TranscribeOptions

log = logging.getLogger(__name__)

FIRST_PASS_S = 1.0  # shorter fragments make Whisper guess ("Bye bye.")
MIN_NEW_AUDIO_S = 1.0  # audio a pass waits for before it runs again...
PAUSE_S = 0.25  # ...unless the speaker paused this long: decode now, release is near
# Windows longer than this are trimmed behind committed words, keeping some committed
# audio as acoustic context: Whisper guesses less at a window's start. On the 40 s
# bench dictation (three runs each), 3 s of context gave a word error rate of 0.20
# against 0.25 with 1 s; trimming after 10 s instead of 6 s gave 0.19, but the pass in
# flight at key release then covers the whole window: 0.8 s to the text instead of 0.2.
TRIM_AFTER_S = 6.0
KEEP_CONTEXT_S = 3.0
FORCE_COMMIT_S = 25.0  # a window this long commits its tail: Whisper sees 30 s at most
FINAL_RETRIES = 120  # x 0.25 s
SPEECH_RMS = 0.01  # about -40 dBFS: quieter 30 ms frames count as silence
SPEECH_MIN_S = 0.12  # this much loud audio after the last pass needs another pass

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


def has_speech(audio: Audio) -> bool:
    """Whether audio holds enough loud frames to be worth a pass (a cheap energy test)."""
    frame = int(0.03 * SAMPLE_RATE)
    usable = len(audio) // frame * frame
    if usable == 0:
        return False
    rms = np.sqrt(np.mean(audio[:usable].reshape(-1, frame) ** 2, axis=1))
    return bool(np.count_nonzero(rms > SPEECH_RMS) * 0.03 >= SPEECH_MIN_S)


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

    def _pass_due(self) -> bool:
        if self._total < FIRST_PASS_S * SAMPLE_RATE:
            return False
        new = self._total - self._covered
        if new >= MIN_NEW_AUDIO_S * SAMPLE_RATE:
            return True
        # A pause after new speech: decode it now so the text is ready when the key
        # is released, and the final step has nothing left to decode.
        pause = int(PAUSE_S * SAMPLE_RATE)
        fresh = self._window[max(0, len(self._window) - new) :]
        return new > pause and not has_speech(fresh[-pause:]) and has_speech(fresh[:-pause])

    async def _run(self) -> None:
        while not self._stopping:
            if not self._pass_due():
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                await self._pass()
            except BusyError:
                await asyncio.sleep(0.2)  # the engine serves others; the final pass catches up
                continue
            self._agreement.flush()
            self._trim()
            await self._on_partial(self.partial_text())

    async def _pass(self, final: bool = False) -> None:
        seen = self._total
        window, offset = self._window, self._offset
        options = replace(
            self._options,
            # The caller's prompt, then what was said before the window; the engine puts the
            # clinical hint first (faster-whisper keeps the prompt's last 223 tokens: the
            # recent words are the last to go).
            prompt=" ".join(filter(None, (self._options.prompt, self._agreement.prompt()))) or None,
            fallback=final,
        )
        began = time.perf_counter()
        transcript = await self._speech.async_transcribe(window, options, self.model)
        log.debug(
            "pass %d: %.1f s window at %.1f s took %.2f s",
            self._passes,
            len(window) / SAMPLE_RATE,
            offset,
            time.perf_counter() - began,
        )
        words = [
            Word(w.start, w.end, w.text) for segment in transcript.segments for w in segment.words
        ]
        self._agreement.insert(words, offset)
        self._covered = seen
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
            self._cut(max(self._agreement.last_committed_end, end - KEEP_CONTEXT_S))
        elif window_s > TRIM_AFTER_S:
            point = self._agreement.trim_point(KEEP_CONTEXT_S)
            if point is not None:
                self._cut(point)

    def _cut(self, point: float) -> None:
        drop = int((point - self._offset) * SAMPLE_RATE)
        if drop > 0:
            self._window = self._window[drop:]
            self._offset = point

    def _committed_text(self) -> str:
        return join_words(self._agreement.committed)

    async def finish(self) -> FinalText:
        """Stop streaming and return the final text; decodes only what is still uncertain."""
        began = time.perf_counter()
        await self._stop_passes()
        log.debug("finish: waited %.2f s for the pass in flight", time.perf_counter() - began)
        unseen = self._window[max(0, len(self._window) - (self._total - self._covered)) :]
        if self._passes == 0 or has_speech(unseen):
            committed = self._agreement.committed
            # Cut at a word boundary just behind the last committed word.
            if len(committed) >= 2 and committed[-2].end > self._offset:
                self._cut(committed[-2].end)
            await self._final_pass()
        self._agreement.finish()
        text = apply_rules(self._committed_text(), self._rules)
        return FinalText(text, self.audio_seconds, self.truncated)

    async def _final_pass(self) -> None:
        # Busy with other clients' passes: wait a while rather than lose the dictation.
        for _ in range(FINAL_RETRIES):
            try:
                await self._pass(final=True)
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
