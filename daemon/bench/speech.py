"""Speech figures: real-time factor and the API's overhead over a direct faster-whisper call."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

from daemon.bench.common import BenchDaemon, median, ratio
from daemon.config import Settings
from daemon.device import resolve_speech_device
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.speech.audio import SAMPLE_RATE, decode_audio
from daemon.speech.engine import load_kwargs


def _multipart(audio: bytes, model: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n{model}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.flac"\r\n'
        "Content-Type: audio/flac\r\n\r\n".encode()
        + audio
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def api_transcribe(daemon: BenchDaemon, audio: bytes, model: str) -> tuple[float, str]:
    """(seconds, text) of one transcription through the API."""
    body, content_type = _multipart(audio, model)
    request = urllib.request.Request(
        daemon.base_url + "/v1/audio/transcriptions",
        data=body,
        headers={**daemon.headers, "Content-Type": content_type},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        text = str(json.loads(response.read())["text"])
    return time.perf_counter() - started, text


def bench_speech(
    daemon: BenchDaemon, settings: Settings, paths: Paths, audio: bytes, reps: int
) -> dict[str, Any]:
    """Median API and direct times on the same file and model, alternating."""
    from faster_whisper import WhisperModel

    name = settings.speech.model
    info = ModelRegistry(paths).resolve("speech", name)
    device, compute_type = resolve_speech_device(settings.speech.device)
    model = WhisperModel(str(info.path), **load_kwargs(device, compute_type))  # as the daemon
    duration = len(decode_audio(audio)) / SAMPLE_RATE

    def direct() -> float:
        started = time.perf_counter()
        segments, _ = model.transcribe(
            decode_audio(audio),
            language="en" if info.english_only else None,
            beam_size=settings.speech.beam_size,
            vad_filter=settings.speech.vad,
            condition_on_previous_text=False,
        )
        "".join(s.text for s in segments)
        return time.perf_counter() - started

    api_transcribe(daemon, audio, name)  # warm both sides once
    direct()
    api_times, direct_times = [], []
    for _ in range(reps):
        api_times.append(api_transcribe(daemon, audio, name)[0])
        direct_times.append(direct())
    return {
        "model": name,
        "device": device,
        "audio_seconds": round(duration, 2),
        "direct_seconds": median(direct_times),
        "api_seconds": median(api_times),
        "real_time_factor": ratio(median(direct_times), duration),
        "api_over_direct": ratio(median(api_times), median(direct_times)),
    }
