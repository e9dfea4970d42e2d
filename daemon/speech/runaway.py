"""Whisper's runaway loops ("no, no, no, …" a hundred times), caught and never passed on.

OpenAI's API documents temperature 0 as "raise the temperature automatically when
thresholds are hit": faster-whisper does that when given a list of temperatures.
A prompt can lock the loop in (measured): a prompted transcript that loops, or
that needed the fallback at all, is decoded again without the prompt, and the
cleaner of the two is kept (`cleaner`). A segment that loops even then is dropped. Dictation's
provisional passes skip the fallback (their latency is the user's wait; the final pass
and uploads use it), but not the loop check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from daemon.speech.types import Segment

FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# faster-whisper's own threshold: above it, a window is re-decoded at a higher temperature.
COMPRESSION_LIMIT = 2.4
# One to four words repeated this many times in a row is a loop, not speech.
MAX_NGRAM = 4
MIN_REPEATS = 6


def temperatures(requested: float, fallback: bool = True) -> tuple[float, ...]:
    """The temperatures to try: the fallback for 0 (OpenAI's meaning), else the one asked."""
    return FALLBACK_TEMPERATURES if requested == 0 and fallback else (requested,)


def longest_repeat(text: str) -> int:
    """How many times in a row the most repeated run of one to four words occurs."""
    words = re.findall(r"[\w']+", text.lower())
    best = 1
    for size in range(1, MAX_NGRAM + 1):
        for start in range(min(size, len(words))):
            run, previous = 0, None
            for index in range(start, len(words) - size + 1, size):
                gram = words[index : index + size]
                run = run + 1 if gram == previous else 1
                previous = gram
                best = max(best, run)
    return best


def suspect(segments: Sequence[Segment]) -> bool:
    """True when a prompted decode looped or had to raise the temperature to stop looping
    (above 0 Whisper samples, so what it then writes is no longer reproducible)."""
    return any(is_runaway(s) or s.temperature > 0 for s in segments)


def cleaner(prompted: list[Segment], plain: list[Segment]) -> list[Segment]:
    """The decode with fewer looping segments, then the lower worst temperature; the
    prompted one (what the user asked for) on a tie."""

    def badness(segments: list[Segment]) -> tuple[int, float]:
        return sum(map(is_runaway, segments)), max((s.temperature for s in segments), default=0)

    return plain if badness(plain) < badness(prompted) else prompted


def is_runaway(segment: Segment) -> bool:
    """A segment whose text loops (highly compressible, or a run of repeated words)."""
    return (
        segment.compression_ratio > COMPRESSION_LIMIT or longest_repeat(segment.text) >= MIN_REPEATS
    )
