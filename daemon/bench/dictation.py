"""Dictation figures: stop-to-final-text with streaming versus record-then-transcribe."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np

from daemon.bench.common import BenchDaemon, median, ratio, word_error_rate
from daemon.bench.speech import api_transcribe
from daemon.client import DaemonAddress, dictate
from daemon.speech.audio import SAMPLE_RATE, decode_audio, float_to_pcm16, pcm16_wav

CHUNK_S = 0.1
# A speaker pauses briefly before releasing the key; both methods get the same audio.
PAUSE_BEFORE_RELEASE_S = 0.4
TRANSCRIPTS = "transcripts.json"  # beside the audio: what a perfect transcript reads


def _pcm(path: Path) -> tuple[bytes, float]:
    audio = decode_audio(path.read_bytes())
    audio = np.concatenate((audio, np.zeros(int(PAUSE_BEFORE_RELEASE_S * SAMPLE_RATE), np.float32)))
    return float_to_pcm16(audio), len(audio) / SAMPLE_RATE


async def stream_once(
    address: DaemonAddress, pcm: bytes, start: dict[str, Any] | None = None
) -> tuple[float, str]:
    """Stream at real-time pace; returns (seconds from stop to final text, text)."""
    stopped = 0.0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal stopped
        size = int(CHUNK_S * SAMPLE_RATE) * 2
        started = time.monotonic()
        for index, position in enumerate(range(0, len(pcm), size)):
            await asyncio.sleep(max(0.0, started + index * CHUNK_S - time.monotonic()))
            yield pcm[position : position + size]
        await asyncio.sleep(max(0.0, started + len(pcm) / 2 / SAMPLE_RATE - time.monotonic()))
        stopped = time.perf_counter()

    async with address.session() as session:
        text = await dictate(session, address, chunks(), start or {}) or ""
    return time.perf_counter() - stopped, text


def bench_dictation(
    daemon: BenchDaemon, model: str, files: dict[str, Path], reps: int
) -> dict[str, Any]:
    """For each utterance: median stop-to-final (streaming) and batch time, their ratio,
    and both word error rates against the reference transcript beside the audio."""
    address = DaemonAddress(daemon.base_url, daemon.token)
    results: dict[str, Any] = {"pause_before_release_seconds": PAUSE_BEFORE_RELEASE_S}
    for label, path in files.items():
        reference = json.loads((path.parent / TRANSCRIPTS).read_text(encoding="utf-8"))[path.name]
        pcm, seconds = _pcm(path)
        wav = pcm16_wav(pcm)
        api_transcribe(daemon, wav, model)  # warm
        streaming, batch, streaming_wer, batch_wer = [], [], [], []
        text = ""
        for _ in range(reps):
            latency, text = asyncio.run(stream_once(address, pcm))
            streaming.append(latency)
            streaming_wer.append(word_error_rate(reference, text))
            batch_seconds, batch_text = api_transcribe(daemon, wav, model)
            batch.append(batch_seconds)
            batch_wer.append(word_error_rate(reference, batch_text))
        results[label] = {
            "audio_seconds": round(seconds, 2),
            "streaming_stop_to_final_seconds": median(streaming),
            "batch_seconds": median(batch),
            "streaming_over_batch": ratio(median(streaming), median(batch)),
            "streaming_word_error_rate": median(streaming_wer),
            "batch_word_error_rate": median(batch_wer),
            "final_text": text,
        }
    return results
