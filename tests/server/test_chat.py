"""Chat completions from the real default model through the official openai client."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from openai import BadRequestError, NotFoundError, OpenAI

from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from tests.support.daemon import (
    RunningDaemon,
    leave_once_busy,
    sottovoce,
    start_daemon,
    wait_for,
    write_config,
)

CANCELLED = "generation cancelled after"
QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[OpenAI]:
    with OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as client:
        yield client


def test_non_streaming_completion(client: OpenAI) -> None:
    result = client.chat.completions.create(
        model="smollm2-135m-instruct", messages=QUESTION, max_tokens=16, temperature=0, seed=1
    )
    choice = result.choices[0]
    assert choice.message.role == "assistant"
    assert "paris" in (choice.message.content or "").lower()
    assert choice.finish_reason in ("stop", "length")
    assert result.usage is not None and result.usage.completion_tokens > 0


def test_streaming_completion_joins_to_the_same_answer(client: OpenAI) -> None:
    whole = client.chat.completions.create(
        messages=QUESTION, model="smollm2-135m-instruct", max_tokens=16, temperature=0, seed=1
    )
    stream = client.chat.completions.create(
        messages=QUESTION,
        model="smollm2-135m-instruct",
        max_tokens=16,
        temperature=0,
        seed=1,
        stream=True,
    )
    chunks = list(stream)
    assert len(chunks) > 2
    assert len({chunk.id for chunk in chunks}) == 1
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


async def test_stream_ends_with_done(daemon: RunningDaemon) -> None:
    body = {"messages": QUESTION, "stream": True, "max_tokens": 8}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/chat/completions", json=body, headers=daemon.headers
        ) as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = [line.decode().strip() async for line in response.content if line.strip()]
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)
    json.loads(lines[0].removeprefix("data: "))


async def test_client_leaving_mid_stream_does_not_block_the_next_request(
    daemon: RunningDaemon,
) -> None:
    long_body = {
        "messages": [{"role": "user", "content": "Write a long story about a ship."}],
        "stream": True,
        "max_tokens": 1000,
    }
    cancelled = daemon.log().count(CANCELLED)
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            daemon.base_url + "/v1/chat/completions", json=long_body, headers=daemon.headers
        )
        await response.content.readline()  # the first chunk arrived: generation runs
        response.close()  # vanish mid-stream
    assert await _short_answer(daemon)
    assert _tokens_before_cancel(daemon, cancelled) < 1000


async def test_client_leaving_a_whole_completion_stops_its_generation(
    daemon: RunningDaemon,
) -> None:
    assert await _short_answer(daemon)  # loaded: "busy" below means generating, not loading
    cancelled = daemon.log().count(CANCELLED)
    long_body = {
        "messages": [{"role": "user", "content": "Count from 1 to 1000, separated by commas."}],
        "max_tokens": 1000,
    }
    async with aiohttp.ClientSession() as session:
        post = session.post(
            daemon.base_url + "/v1/chat/completions", json=long_body, headers=daemon.headers
        )
        await leave_once_busy(daemon, "llm", post)
    assert await _short_answer(daemon)
    assert _tokens_before_cancel(daemon, cancelled) < 1000


async def _short_answer(daemon: RunningDaemon) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/chat/completions",
            json={"messages": QUESTION, "max_tokens": 8},
            headers=daemon.headers,
            timeout=aiohttp.ClientTimeout(total=60),
        ) as response,
    ):
        assert response.status == 200
        return str((await response.json())["choices"][0]["message"]["content"])


def _tokens_before_cancel(daemon: RunningDaemon, seen: int) -> int:
    """The token count of the cancellation logged after the first `seen` ones."""
    wait_for(lambda: daemon.log().count(CANCELLED) > seen, timeout=30)
    lines = [line for line in daemon.log().splitlines() if CANCELLED in line]
    match = re.search(r"after (\d+) tokens", lines[seen])
    assert match is not None
    return int(match.group(1))


async def test_eight_concurrent_clients_get_answers_or_clean_429(daemon: RunningDaemon) -> None:
    async def one(
        session: aiohttp.ClientSession, index: int
    ) -> tuple[int, dict[str, object], str | None]:
        body = {
            "messages": [{"role": "user", "content": f"Say the number {index}."}],
            "max_tokens": 24,
        }
        async with session.post(
            daemon.base_url + "/v1/chat/completions", json=body, headers=daemon.headers
        ) as response:
            return response.status, await response.json(), response.headers.get("Retry-After")

    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(*(one(session, i) for i in range(8)))
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) >= 1
    for status, body, retry_after in results:
        if status == 429:
            assert retry_after is not None and int(retry_after) > 0
            assert body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
        else:
            assert body["choices"][0]["message"]["content"]  # type: ignore[index]
    async with (
        aiohttp.ClientSession() as session,
        session.get(daemon.base_url + "/v1/health") as response,
    ):
        assert response.status == 200


def test_unknown_model_is_404(client: OpenAI) -> None:
    with pytest.raises(NotFoundError, match="llama-70b"):
        client.chat.completions.create(model="llama-70b", messages=QUESTION)


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
        ({"messages": "hello"}, "messages"),
        ({"messages": [{"role": "system", "content": "only system"}]}, "role 'user'"),
        ({"messages": QUESTION, "max_tokens": 0}, "max_tokens"),
        ({"messages": QUESTION, "max_tokens": 10**6}, "max_tokens"),
        ({"messages": QUESTION, "temperature": 5}, "temperature"),
        ({"messages": QUESTION, "n": 3}, "n"),
    ],
)
def test_malformed_requests_are_400(client: OpenAI, body: dict[str, object], expected: str) -> None:
    with pytest.raises(BadRequestError, match=expected):
        client.post("/chat/completions", body=body, cast_to=object)


async def test_not_json_is_refused(daemon: RunningDaemon) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            daemon.base_url + "/v1/chat/completions",
            data="{",
            headers={**daemon.headers, "Content-Type": "application/json"},
        ) as response:
            assert response.status == 400
        async with session.post(
            daemon.base_url + "/v1/chat/completions",
            data='{"messages": []}',
            headers={**daemon.headers, "Content-Type": "text/plain"},
        ) as response:
            assert response.status == 415
        big = {"messages": [{"role": "user", "content": "x" * 300_000}]}
        async with session.post(
            daemon.base_url + "/v1/chat/completions", json=big, headers=daemon.headers
        ) as response:
            assert response.status == 413


def test_a_model_added_with_the_cli_is_listed_and_answers(isolated_home: Path) -> None:
    write_config(isolated_home, "[speech]\nload_at_start = false\n")
    daemon = start_daemon(isolated_home, wait_models=False)
    try:
        with OpenAI(
            base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0
        ) as client:
            listed = {model.id for model in client.models.list()}
            assert {"whisper-base", "whisper-tiny.en", "smollm2-135m-instruct"} <= listed
            gguf = ModelRegistry(Paths.from_env()).resolve("llm", "smollm2-135m-instruct").path
            added = sottovoce(
                "models", "add", str(gguf), "--name", "clinic-llm", home=isolated_home
            )
            assert added.returncode == 0, added.stderr
            assert "clinic-llm" in {model.id for model in client.models.list()}
            answer = client.chat.completions.create(
                model="clinic-llm", messages=QUESTION, max_tokens=8
            )
        assert answer.model == "clinic-llm"
        assert answer.choices[0].message.content
    finally:
        assert daemon.stop() == 0
