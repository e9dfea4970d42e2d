"""Streamed dictation against batch on the same clinical sentences: does streaming lose words?

The sentences of one split, spoken by one voice, are joined (with a short pause between
them) into dictations of about 10 s and 40 s, as a clinician dictates a note. Each is
streamed at real-time pace through WS /v1/dictation, as the hotkey does, and also sent
whole to POST /v1/audio/transcriptions; both texts are scored against the joined
sentences. The figure that counts is streamed WER over batch WER, a ratio within one run.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable
from typing import Any

import numpy as np

from daemon.bench.common import BenchDaemon
from daemon.bench.dictation import stream_once
from daemon.bench.speech import api_transcribe
from daemon.client import DaemonAddress
from daemon.speech.audio import SAMPLE_RATE, Audio, float_to_pcm16, pcm16_wav

# About what one dictates for a short finding and for a whole note.
DICTATION_SECONDS = (10.0, 40.0)
GAP_S = 0.4  # the pause between two sentences of one dictation
TAIL_S = 0.4  # and before the key is released (as daemon/bench/dictation.py)


def dictations(clips: list[tuple[str, Audio]]) -> dict[str, tuple[str, Audio]]:
    """For each target length, the first sentences of `clips` (text, audio) that reach it,
    joined: label ("10s", "40s") -> (reference text, audio). Fewer clips make shorter ones."""
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), np.float32)
    joined: dict[str, tuple[str, Audio]] = {}
    for target in DICTATION_SECONDS:
        texts: list[str] = []
        pieces: list[Audio] = []
        for text, audio in clips:
            texts.append(text)
            pieces.extend((audio, gap))
            if sum(map(len, pieces)) >= target * SAMPLE_RATE:
                break
        pieces[-1] = np.zeros(int(TAIL_S * SAMPLE_RATE), np.float32)
        if any(reference == " ".join(texts) for reference, _ in joined.values()):
            break  # too few clips for a longer one: it would be the same dictation
        joined[f"{target:.0f}s"] = (" ".join(texts), np.concatenate(pieces))
    return joined


def streamed_over_batch(streamed: float, batch: float) -> float | None:
    """WER ratio; 1.0 when both are perfect, None (JSON null) when only batch is."""
    if batch == 0:
        return 1.0 if streamed == 0 else None
    return round(streamed / batch, 2)


def bench_streamed(
    daemon: BenchDaemon,
    model: str,
    clips: list[tuple[str, Audio]],
    wer: Callable[[str, str], float],
) -> dict[str, Any]:
    """Per dictation length: streamed and batch WER (scored by `wer(reference, text)`) on
    the same audio; and over all."""
    address = DaemonAddress(daemon.base_url, daemon.token)
    figures: dict[str, Any] = {}
    for label, (reference, audio) in dictations(clips).items():
        pcm = float_to_pcm16(audio)
        _, streamed = asyncio.run(stream_once(address, pcm, {"model": model}))
        _, batch = api_transcribe(daemon, pcm16_wav(pcm), model)
        figures[label] = {
            "audio_seconds": round(len(audio) / SAMPLE_RATE, 1),
            "streamed_wer": wer(reference, streamed),
            "batch_wer": wer(reference, batch),
        }
    streamed_wer = round(statistics.fmean(f["streamed_wer"] for f in figures.values()), 3)
    batch_wer = round(statistics.fmean(f["batch_wer"] for f in figures.values()), 3)
    return {
        **figures,
        "streamed_wer": streamed_wer,
        "batch_wer": batch_wer,
        "streamed_over_batch": streamed_over_batch(streamed_wer, batch_wer),
    }
