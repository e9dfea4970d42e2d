"""Clinic-mode figures: the daemon's time to first token and tokens/s through the practice's
server over a direct call to the same server, in one run, and a bounded concurrency run
(several daemons, each with its own home and no local model loaded, sharing one server).

The upstream is the one configured in `[upstream.llm]`; without one, the benchmark starts
llama-cpp-python's own server (the `server` extra) on loopback with a self-signed
certificate, so the pinned TLS path is what is measured either way. The direct call is
the daemon's own pinned client in this process: the ratio is what the daemon adds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomlkit

from daemon.bench.common import BenchDaemon, BenchError, bench_daemon, median
from daemon.bench.llm import (
    PARAMS,
    TTFT_PAIRS_PER_REP,
    _api_deltas,
    _KeepAlive,
    _messages,
    _paired,
    _paired_ratio,
    _timed_stream,
)
from daemon.bench.upstream_server import loopback_server
from daemon.bench.upstream_speech import bench_upstream_speech
from daemon.config import Settings
from daemon.llm.types import GenerationParams
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.upstream.audit import UpstreamRecord
from daemon.upstream.client import UpstreamClient
from daemon.upstream.engine import CHAT_PATH, request_body
from daemon.upstream.selfsigned import Certificate
from daemon.upstream.settings import UpstreamEngineSettings
from daemon.upstream.setup import connect_upstream

CONCURRENT_DAEMONS = 4
BENCH_ALIAS = "bench-upstream"


def _no_record(record: UpstreamRecord) -> None:
    """The benchmark's direct calls are not the workstation's requests: no audit."""


@contextlib.contextmanager
def _own_server(settings: Settings, paths: Paths) -> Iterator[UpstreamEngineSettings]:
    """llama_cpp.server on loopback with TLS, on the configured local model."""
    if importlib.util.find_spec("llama_cpp.server") is None:
        raise BenchError(
            "no [upstream.llm] is configured and llama_cpp.server is not installed "
            "(pip install 'llama-cpp-python[server]'): nothing to measure against"
        )
    info = ModelRegistry(paths).resolve("llm", settings.llm.model)

    def command(port: int, cert: Certificate, _: Path) -> tuple[list[str], None]:
        return [
            sys.executable, "-m", "llama_cpp.server", "--model", str(info.path),
            "--model_alias", BENCH_ALIAS, "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", "2048", "--ssl_keyfile", str(cert.key_file),
            # Its default interrupts a running stream when the next request arrives:
            # queue them instead, as a serving engine does.
            "--interrupt_requests", "False",
            "--ssl_certfile", str(cert.cert_file),
        ], None  # fmt: skip

    with loopback_server("llama_cpp.server", command) as (url, pin):
        yield UpstreamEngineSettings(url=url, pin=pin, model=BENCH_ALIAS)


def _daemon_config(upstream: UpstreamEngineSettings) -> str:
    """A benchmark daemon in clinic mode: no local model loads, no history kept."""
    document = tomlkit.document()
    document["speech"] = {"load_at_start": False}
    document["llm"] = {"load_at_start": False, "idle_timeout": -1}
    document["history"] = {"enabled": False}
    document["upstream"] = {"llm": upstream.model_dump(exclude_defaults=True)}
    return tomlkit.dumps(document)


def _direct_deltas(client: UpstreamClient, index: int, params: GenerationParams) -> Iterator[str]:
    body = request_body(_messages(index), params, client.settings.model)
    events = client.stream_events(CHAT_PATH, body, client.settings.model, threading.Event())
    for event in events:
        if event.get("choices"):
            yield event["choices"][0]["delta"].get("content") or ""


def _single(daemon: BenchDaemon, direct: UpstreamClient, reps: int) -> dict[str, Any]:
    client = _KeepAlive(daemon)
    try:
        _timed_stream(_api_deltas(client, 100, PARAMS))  # warm both paths
        _timed_stream(_direct_deltas(direct, 100, PARAMS))
        first_token = dataclasses.replace(PARAMS, max_tokens=1)
        # Both sides share one server, which reuses the previous request's prompt prefix:
        # never the same prompt twice in a row, or the second of a pair gets it cached.
        api_ttft, raw_ttft = _paired(
            TTFT_PAIRS_PER_REP * reps,
            lambda i: _timed_stream(_api_deltas(client, 2 * i, first_token))[0],
            lambda i: _timed_stream(_direct_deltas(direct, 2 * i + 1, first_token))[0],
        )
        api_rate, raw_rate = _paired(
            reps,
            lambda i: _timed_stream(_api_deltas(client, 2 * i, PARAMS))[1],
            lambda i: _timed_stream(_direct_deltas(direct, 2 * i + 1, PARAMS))[1],
        )
    finally:
        client.close()
    return {
        "ttft_pairs": len(api_ttft),
        "api_ttft_seconds": median(api_ttft),
        "direct_ttft_seconds": median(raw_ttft),
        "ttft_api_over_direct": _paired_ratio(api_ttft, raw_ttft),
        "ttft_target_max": 1.15,
        "api_tokens_per_second": round(statistics.median(api_rate), 1),
        "direct_tokens_per_second": round(statistics.median(raw_rate), 1),
        "tokens_per_second_api_over_direct": _paired_ratio(api_rate, raw_rate),
        "tokens_per_second_target_min": 0.9,
    }


def _aggregate_rate(streams: list[Iterator[str]]) -> float:
    """Tokens per second of all `streams` read at once, from the first start to the last end."""
    counts = [0] * len(streams)

    def drain(index: int) -> None:
        counts[index] = sum(1 for delta in streams[index] if delta)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(len(streams))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(sum(counts) / (time.perf_counter() - started), 1)


def _concurrency(
    upstream: UpstreamEngineSettings, direct: UpstreamClient, reps: int, user_models: Path
) -> dict[str, Any]:
    """Four daemons at once against four direct streams at once, on the same server."""
    with contextlib.ExitStack() as stack:
        daemons = [
            stack.enter_context(bench_daemon(_daemon_config(upstream), user_models))
            for _ in range(CONCURRENT_DAEMONS)
        ]
        clients = [_KeepAlive(d) for d in daemons]
        for client in clients:
            stack.callback(client.close)
        through, straight = [], []
        for rep in range(max(1, min(reps, 3))):
            through.append(
                _aggregate_rate(
                    [_api_deltas(c, 200 + rep * 10 + i, PARAMS) for i, c in enumerate(clients)]
                )
            )
            straight.append(
                _aggregate_rate(
                    [
                        _direct_deltas(direct, 300 + rep * 10 + i, PARAMS)
                        for i in range(len(clients))
                    ]
                )
            )
    return {
        "daemons": CONCURRENT_DAEMONS,
        "streams_at_once": CONCURRENT_DAEMONS,
        "through_daemons_tokens_per_second": median(through),
        "direct_tokens_per_second": median(straight),
        # About 1: the server, not Sottovoce, sets the throughput.
        "through_daemons_over_direct": round(
            statistics.median(through) / statistics.median(straight), 3
        ),
    }


def bench_upstream(settings: Settings, paths: Paths, reps: int) -> dict[str, Any]:
    """The clinic-mode figures, against the configured server or one started here."""
    with contextlib.ExitStack() as stack:
        upstream = settings.upstream.llm
        source = "configured"
        if upstream is None:
            upstream = stack.enter_context(_own_server(settings, paths))
            source = "llama_cpp.server started by the benchmark on loopback, TLS pinned"
        # The direct side goes through the same door and pin, in this process.
        direct = connect_upstream("llm", upstream, _no_record)
        with bench_daemon(_daemon_config(upstream), paths.models_file) as daemon:
            single = _single(daemon, direct, reps)
        concurrent = _concurrency(upstream, direct, reps, paths.models_file)
    return {
        "server": upstream.url,
        "source": source,
        "model": upstream.model,
        **single,
        "concurrency": concurrent,
        # Dictation through a speech upstream (sent whole on release) against local.
        "speech_dictation": bench_upstream_speech(settings, paths, reps),
    }
