"""LLM figures: time to first token and tokens per second, API versus a direct llama.cpp call."""

from __future__ import annotations

import dataclasses
import http.client
import json
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from daemon.bench.common import BenchDaemon, BenchError, median, ratio
from daemon.config import Settings
from daemon.device import resolve_llm_device
from daemon.llm.context import context_for
from daemon.llm.engine import load_kwargs, sampling_kwargs
from daemon.llm.types import GenerationParams
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths

SETTLE_S = 0.3
TTFT_PAIRS_PER_REP = 3
# Greedy, as the rewrite service decodes; the same on both sides of each ratio.
PARAMS = GenerationParams(temperature=0.0, top_p=1.0, max_tokens=64)
# A different prompt each repetition: no run profits from another's cached prefix.
TOPICS = ("the heart", "the lungs", "the kidneys", "the liver", "the skin", "the brain", "bones")


def _messages(index: int) -> list[dict[str, str]]:
    topic = TOPICS[index % len(TOPICS)]
    return [{"role": "user", "content": f"Write three sentences about {topic} (#{index})."}]


def _timed_stream(deltas: Iterable[str]) -> tuple[float, float, int]:
    """(time to first token, tokens per second after it, tokens) of a delta stream."""
    started = time.perf_counter()
    first = last = 0.0
    tokens = 0
    for delta in deltas:
        if not delta:
            continue
        now = time.perf_counter()
        if tokens == 0:
            first = now
        last = now
        tokens += 1
    if not tokens:
        raise BenchError("the model produced no text to time")
    ttft = first - started
    rate = (tokens - 1) / (last - first) if tokens > 1 and last > first else 0.0
    return ttft, rate, tokens


class _KeepAlive:
    """One persistent HTTP connection, as API clients such as openai's keep one."""

    def __init__(self, daemon: BenchDaemon) -> None:
        host, port = daemon.base_url.removeprefix("http://").rsplit(":", 1)
        self._connection = http.client.HTTPConnection(host, int(port), timeout=600)
        self._headers = {**daemon.headers, "Content-Type": "application/json"}

    def sse(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The events of one streamed response (read to the end: the connection is reused)."""
        self._connection.request("POST", path, json.dumps(body).encode(), self._headers)
        response = self._connection.getresponse()
        while raw := response.readline():
            line = raw.decode().strip()
            if line.startswith("data: ") and line != "data: [DONE]":
                yield json.loads(line.removeprefix("data: "))
        response.read()

    def close(self) -> None:
        self._connection.close()


def _api_deltas(client: _KeepAlive, index: int, params: GenerationParams) -> Iterator[str]:
    body = {
        "messages": _messages(index),
        "max_tokens": params.max_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "stream": True,
    }
    for chunk in client.sse("/v1/chat/completions", body):
        if chunk.get("choices"):
            yield chunk["choices"][0]["delta"].get("content") or ""


def _rewrite_ttft(client: _KeepAlive, text: str, preset: str) -> float:
    body = {"text": text, "preset": preset, "stream": True}
    deltas = (e.get("delta", "") for e in client.sse("/v1/rewrite", body))
    return _timed_stream(deltas)[0]


def _paired(
    pairs: int, api: Callable[[int], float], direct: Callable[[int], float]
) -> tuple[list[float], list[float]]:
    """`pairs` measurements of each side on the same prompt back to back, order alternating."""
    api_values, direct_values = [], []
    for index in range(pairs):
        # OpenMP workers spin a while after a run; let them settle so neither
        # side starts while the other's threads still hold the CPUs.
        time.sleep(SETTLE_S)
        if index % 2 == 0:
            api_values.append(api(index))
            time.sleep(SETTLE_S)
            direct_values.append(direct(index))
        else:
            direct_values.append(direct(index))
            time.sleep(SETTLE_S)
            api_values.append(api(index))
    return api_values, direct_values


def _paired_ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median of the pairs' ratios: a slow spell of the machine hits both halves of
    a pair, where it would skew a ratio of two medians taken apart."""
    return round(statistics.median(n / d for n, d in zip(numerators, denominators, strict=True)), 3)


def bench_llm(daemon: BenchDaemon, settings: Settings, paths: Paths, reps: int) -> dict[str, Any]:
    """TTFT and tokens/s through the API and directly, in pairs, plus the prompt cache.

    Time to first token is a few tens of milliseconds here, and run-to-run noise on a
    shared machine is of the same size: it gets TTFT_PAIRS_PER_REP pairs per repetition.
    """
    from llama_cpp import Llama

    info = ModelRegistry(paths).resolve("llm", settings.llm.model)
    device = resolve_llm_device(settings.llm.device)
    # Loaded as the daemon loads it.
    context = context_for(info.path, settings.llm.context_size)
    llama = Llama(**load_kwargs(info.path, device, context))

    def direct(index: int, params: GenerationParams) -> Iterator[str]:
        # The very arguments the daemon passes for the API request.
        stream = llama.create_chat_completion(
            messages=_messages(index),  # type: ignore[arg-type]
            stream=True,
            **sampling_kwargs(params),
        )
        for chunk in stream:
            delta: dict[str, Any] = chunk["choices"][0]["delta"]  # type: ignore[index,assignment]
            yield str(delta.get("content") or "")

    client = _KeepAlive(daemon)
    try:
        _timed_stream(_api_deltas(client, 100, PARAMS))  # load and warm both sides
        _timed_stream(direct(100, PARAMS))
        first_token = dataclasses.replace(PARAMS, max_tokens=1)
        api_ttft, raw_ttft = _paired(
            TTFT_PAIRS_PER_REP * reps,
            lambda i: _timed_stream(_api_deltas(client, i, first_token))[0],
            lambda i: _timed_stream(direct(i, first_token))[0],
        )
        api_rate, raw_rate = _paired(
            reps,
            lambda i: _timed_stream(_api_deltas(client, i, PARAMS))[1],
            lambda i: _timed_stream(direct(i, PARAMS))[1],
        )

        # Prompt cache: a different preset first, then the same preset twice.
        text_a = "the patient have no fever since two days and is taking paracetamol"
        text_b = "she report pain in the left knee after a fall yesterday"
        _rewrite_ttft(client, text_a, "concise")
        cache_first = _rewrite_ttft(client, text_a, "professional")
        cache_second = _rewrite_ttft(client, text_b, "professional")
    finally:
        client.close()

    return {
        "model": info.name,
        "device": device,
        "ttft_pairs": len(api_ttft),
        "api_ttft_seconds": median(api_ttft),
        "direct_ttft_seconds": median(raw_ttft),
        "ttft_api_over_direct": _paired_ratio(api_ttft, raw_ttft),
        "api_tokens_per_second": round(statistics.median(api_rate), 1),
        "direct_tokens_per_second": round(statistics.median(raw_rate), 1),
        "tokens_per_second_api_over_direct": _paired_ratio(api_rate, raw_rate),
        "rewrite_ttft_first_seconds": round(cache_first, 4),
        "rewrite_ttft_second_seconds": round(cache_second, 4),
        "rewrite_ttft_second_over_first": ratio(cache_second, cache_first),
    }
