"""Clinic-mode dictation figure: release-to-text of the 10 s dictation through a speech
upstream (the whole dictation sent on release) against this machine's streaming
dictation, in one run.

The upstream is the one configured in `[upstream.speech]`; without one, the benchmark
starts faster-whisper-server on loopback with TLS on the configured local Whisper
model, so the pinned TLS path is what is measured. On loopback the server shares this
machine's CPU: a practice's GPU server transcribes the upload in a fraction of that.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomlkit

from daemon.assets import asset_path
from daemon.bench.common import BenchError, bench_daemon, median, ratio, word_error_rate
from daemon.bench.dictation import TRANSCRIPTS, _pcm, stream_once
from daemon.bench.upstream_server import loopback_server
from daemon.client import DaemonAddress
from daemon.config import Settings
from daemon.guard import OFFLINE_ENV
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.upstream.selfsigned import Certificate
from daemon.upstream.settings import UpstreamEngineSettings

DICTATION = "dictation-10s.flac"
BENCH_ALIAS = "bench-whisper"


@contextlib.contextmanager
def _own_server(settings: Settings, paths: Paths) -> Iterator[UpstreamEngineSettings]:
    """faster-whisper-server on loopback with uvicorn's TLS, on the local Whisper model."""
    if importlib.util.find_spec("faster_whisper_server") is None:
        raise BenchError(
            "no [upstream.speech] is configured and faster-whisper-server is not installed "
            "(pip install faster-whisper-server): nothing to measure against"
        )
    info = ModelRegistry(paths).resolve("speech", settings.speech.model)
    # Its config file, so that it decodes as the local engine does (its own default is
    # beam search with 5 beams): the ratio then compares the paths, not the settings.
    # Named "whisper-1": it reads the model from a `model_name` field, not OpenAI's
    # `model`, and so always asks for its default name.
    options = {"beam_size": settings.speech.beam_size, "vad_filter": settings.speech.vad}
    entry = {"name": "whisper-1", "path": str(info.path), "transcribe_options": options}

    def command(port: int, cert: Certificate, scratch: Path) -> tuple[list[str], dict[str, str]]:
        config = scratch / "models.json"  # JSON is YAML
        config.write_text(json.dumps({"models": [entry]}), encoding="utf-8")
        env = {**os.environ, **OFFLINE_ENV, "FWS_CONFIG_PATH": str(config)}
        return [
            sys.executable, "-m", "uvicorn", "faster_whisper_server.api:app",
            "--host", "127.0.0.1", "--port", str(port),
            "--ssl-keyfile", str(cert.key_file), "--ssl-certfile", str(cert.cert_file),
        ], env  # fmt: skip

    with loopback_server("faster-whisper-server", command) as (url, pin):
        yield UpstreamEngineSettings(url=url, pin=pin, model=BENCH_ALIAS)


def _config(upstream: UpstreamEngineSettings | None) -> str:
    """A benchmark daemon: speech on `upstream` (None: the local model), no history."""
    document = tomlkit.document()
    document["speech"] = {"load_at_start": upstream is None, "idle_timeout": -1}
    document["llm"] = {"load_at_start": False}
    document["history"] = {"enabled": False}
    if upstream is not None:
        document["upstream"] = {"speech": upstream.model_dump(exclude_defaults=True)}
    return tomlkit.dumps(document)


def _release_to_text(
    daemon_url: str, token: str, pcm: bytes, reference: str, reps: int
) -> dict[str, float]:
    address = DaemonAddress(daemon_url, token)
    asyncio.run(stream_once(address, pcm))  # warm: the model loaded, the connection tried
    latencies, errors = [], []
    for _ in range(reps):
        latency, text = asyncio.run(stream_once(address, pcm))
        latencies.append(latency)
        errors.append(word_error_rate(reference, text))
    return {"release_to_text_seconds": median(latencies), "word_error_rate": median(errors)}


def bench_upstream_speech(settings: Settings, paths: Paths, reps: int) -> dict[str, Any]:
    """Release-to-text through the speech upstream over local streaming dictation."""
    path = asset_path("speech", DICTATION)
    reference = json.loads((path.parent / TRANSCRIPTS).read_text(encoding="utf-8"))[path.name]
    pcm, seconds = _pcm(path)
    with contextlib.ExitStack() as stack:
        upstream = settings.upstream.speech
        source = "configured"
        if upstream is None:
            upstream = stack.enter_context(_own_server(settings, paths))
            source = "faster-whisper-server started by the benchmark on loopback, TLS pinned"
        figures = {}
        for label, config in (("upstream", _config(upstream)), ("local", _config(None))):
            with bench_daemon(config, paths.models_file) as daemon:
                figures[label] = _release_to_text(
                    daemon.base_url, daemon.token, pcm, reference, reps
                )
    return {
        "server": upstream.url,
        "source": source,
        "audio_seconds": round(seconds, 2),
        "upstream_release_to_text_seconds": figures["upstream"]["release_to_text_seconds"],
        "local_release_to_text_seconds": figures["local"]["release_to_text_seconds"],
        "upstream_over_local": ratio(
            figures["upstream"]["release_to_text_seconds"],
            figures["local"]["release_to_text_seconds"],
        ),
        "upstream_word_error_rate": figures["upstream"]["word_error_rate"],
        "local_word_error_rate": figures["local"]["word_error_rate"],
    }
