"""Streamed dictation settles each utterance at the speaker's pause, as the file API hears it.

A narrow fake stands in for Whisper: it "hears" each burst of noise as a word chosen by
the burst's length, and, like a provisional pass (no fallback) hearing a word cut off
or out of context, mishears "denies" as "dies". The settling pass (fallback on) hears
it right. The real model's figures are in `sottovoce bench --parts asr` (streamed).
"""

from __future__ import annotations

import asyncio

import numpy as np

from daemon.dictation.postprocess import TextRules
from daemon.dictation.stream import (
    PROVISIONAL_BEAM,
    DictationStream,
    _loudness,
    quiet_gap,
    settle_point,
)
from daemon.speech.audio import SAMPLE_RATE, Audio
from daemon.speech.service import SpeechService
from daemon.speech.types import Segment, TranscribeOptions, Transcript, WordTiming

FRAME = 0.03
# Burst length in frames -> the word it stands for.
WORDS = {8: " The", 12: " patient", 16: " denies", 20: " pain."}
INSIDE_GAP_S = 0.06  # between two words: shorter than any pause
PAUSE = 0.45  # between two sentences


def _seconds(n: float) -> Audio:
    return np.zeros(int(n * SAMPLE_RATE), np.float32)


def _burst(frames: int) -> Audio:
    noise = np.random.default_rng(frames).uniform(-0.2, 0.2, int(frames * FRAME * SAMPLE_RATE))
    return noise.astype(np.float32)


def sentence(*frames: int) -> Audio:
    """Words (bursts) with short gaps, then a pause."""
    parts: list[Audio] = []
    for length in frames:
        parts += [_burst(length), _seconds(INSIDE_GAP_S)]
    parts[-1] = _seconds(PAUSE)
    return np.concatenate(parts)


SPOKEN = (8, 12, 16, 20)  # "The patient denies pain."


class FakeWhisper:
    """Hears bursts as words; without the fallback (a provisional pass) "denies" is "dies".
    Each call is recorded, and a test can hold a call until it lets it go."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, TranscribeOptions]] = []
        self.called = asyncio.Event()
        self.hold: asyncio.Event | None = None

    async def async_transcribe(
        self, audio: Audio, options: TranscribeOptions, model: str | None = None
    ) -> Transcript:
        self.calls.append((len(audio), options))
        self.called.set()
        if self.hold is not None:
            hold, self.hold = self.hold, None
            await hold.wait()
        words = []
        loud = _loudness(audio)
        index = 0
        while index < len(loud):
            if not loud[index]:
                index += 1
                continue
            begin = index
            while index < len(loud) and loud[index]:
                index += 1
            length = index - begin
            text = WORDS[min(WORDS, key=lambda known: abs(known - length))]
            if text == " denies" and not options.fallback:
                text = " dies"
            words.append(WordTiming(begin * FRAME, index * FRAME, text, 0.9))
        text = "".join(word.text for word in words)
        segment = Segment(
            0, 0.0, len(audio) / SAMPLE_RATE, text, -0.1, 0.0, 1.0, 0.0, words=tuple(words)
        )
        return Transcript(text.strip(), "en", len(audio) / SAMPLE_RATE, (segment,))

    async def next_call(self) -> tuple[int, TranscribeOptions]:
        await self.called.wait()
        self.called.clear()
        return self.calls[-1]


class Partials:
    """The partial texts a dictation sent, and a wait for the next one."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.arrived = asyncio.Event()

    async def __call__(self, text: str) -> None:
        self.texts.append(text)
        self.arrived.set()

    async def next(self) -> str:
        await self.arrived.wait()
        self.arrived.clear()
        return self.texts[-1]


def _stream(fake: FakeWhisper, partials: Partials) -> DictationStream:
    speech: SpeechService = fake  # type: ignore[assignment]  # the narrow fake above
    stream = DictationStream(speech, TranscribeOptions(language="en"), TextRules(), partials)
    stream.start()
    return stream


def test_settle_point_is_in_the_latest_pause_after_speech() -> None:
    audio = np.concatenate((sentence(*SPOKEN), sentence(8, 12)))
    first_pause_end = len(sentence(*SPOKEN))
    point = settle_point(audio[: first_pause_end + len(_burst(8)) // 2])
    assert point is not None
    assert first_pause_end - PAUSE * SAMPLE_RATE < point < first_pause_end
    # A pause that lasts to the end: settle all of it.
    assert settle_point(audio) == len(audio)


def test_no_settle_point_without_a_whole_pause_or_before_any_speech() -> None:
    words_only = np.concatenate(
        [np.concatenate((_burst(n), _seconds(INSIDE_GAP_S))) for n in SPOKEN]
    )
    assert settle_point(words_only) is None  # the gaps inside a sentence are no pause
    assert (
        settle_point(np.concatenate((_seconds(1.0), _burst(2)))) is None
    )  # silence, then too little


def test_quiet_gap_finds_the_pause_between_two_words_and_nothing_inside_a_word() -> None:
    audio = sentence(*SPOKEN)
    end_of_first = 8 * FRAME
    gap = quiet_gap(np.concatenate((audio, _burst(8))), len(audio) / SAMPLE_RATE - 1.0, 10.0)
    assert gap is not None
    assert len(audio) / SAMPLE_RATE - PAUSE < gap < len(audio) / SAMPLE_RATE
    assert quiet_gap(audio, 0.0, end_of_first) is None


async def test_the_final_text_is_what_the_settling_passes_heard() -> None:
    fake, partials = FakeWhisper(), Partials()
    stream = _stream(fake, partials)
    audio = np.concatenate((sentence(*SPOKEN), sentence(*SPOKEN)))
    step = int(0.5 * SAMPLE_RATE)
    for start in range(0, len(audio), step):  # fed as the microphone delivers it
        stream.feed(audio[start : start + step])
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    final = await stream.finish()
    assert final.text == "The patient denies pain. The patient denies pain."
    assert any(options.fallback for _, options in fake.calls), "no pass settled"


async def test_a_provisional_pass_heard_wrong_is_replaced_when_the_pause_settles_it() -> None:
    fake, partials = FakeWhisper(), Partials()
    stream = _stream(fake, partials)
    words = sentence(*SPOKEN)
    speaking = words[: -int(PAUSE * SAMPLE_RATE)]  # the sentence, before its pause
    stream.feed(speaking)
    _, options = await fake.next_call()
    assert not options.fallback  # still speaking: provisional
    assert options.beam_size == PROVISIONAL_BEAM  # greedy: only the partial text
    assert await partials.next() == "The patient dies pain."
    stream.feed(words[len(speaking) :])  # the pause
    _, options = await fake.next_call()
    assert options.fallback, "the pause did not settle the sentence"
    assert options.beam_size == TranscribeOptions().beam_size  # as an upload is decoded
    final = await stream.finish()
    assert final.text == "The patient denies pain."
    assert "dies" not in final.text


async def test_a_pass_in_flight_across_the_pause_does_not_cost_the_settling() -> None:
    fake, partials = FakeWhisper(), Partials()
    stream = _stream(fake, partials)
    first, second = sentence(*SPOKEN), sentence(8, 12)
    fake.hold = gate = asyncio.Event()
    stream.feed(first[: int(1.2 * SAMPLE_RATE)])
    _, options = await fake.next_call()  # a provisional pass, held while the speaker goes on
    assert not options.fallback
    stream.feed(first[int(1.2 * SAMPLE_RATE) :])
    stream.feed(second[: int(0.3 * SAMPLE_RATE)])  # the pause, then the next word starts
    gate.set()
    length, options = await fake.next_call()
    assert options.fallback, "the pause was missed while a pass was in flight"
    assert len(first) - PAUSE * SAMPLE_RATE < length < len(first)  # up to the pause
    stream.feed(second[int(0.3 * SAMPLE_RATE) :])
    final = await stream.finish()
    assert final.text == "The patient denies pain. The patient"
