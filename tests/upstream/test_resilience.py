"""The practice's server failing: stopped in the middle of an answer, then gone; the
workstation's daemon says so clearly, keeps serving, and (fallback "local") answers
with its own model, saying which answered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from openai import OpenAI

from tests.support.daemon import RunningDaemon, health
from tests.upstream.conftest import start_workstation
from tests.upstream.support import MODEL_ALIAS, Certificate, PracticeNetwork, PracticeServer
from tests.upstream.test_clinic import QUESTION, audit_records

# Greedy counting runs to max_tokens on the embedded model: the stream is long.
COUNTING = [{"role": "user", "content": "Count from 1 to 1000, separated by commas: 1, 2, 3,"}]


@pytest.fixture
def doomed(
    network: PracticeNetwork, certificate: Certificate, tmp_path: Path
) -> Iterator[PracticeServer]:
    """A second practice server, ours to stop."""
    server = PracticeServer(network, certificate, tmp_path / "server.log", port=8444).start()
    yield server
    server.kill()


async def _read_until_first_token_then_stop(
    daemon: RunningDaemon, server: PracticeServer
) -> list[dict[str, object]]:
    body = {
        "model": MODEL_ALIAS,
        "messages": COUNTING,
        "max_tokens": 1000,
        "temperature": 0,
        "stream": True,
    }
    events: list[dict[str, object]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/chat/completions", json=body, headers=daemon.headers
        ) as response,
    ):
        assert response.status == 200
        async for line in response.content:
            text = line.decode().strip()
            if not text.startswith("data: "):
                continue
            assert text != "data: [DONE]", "the stream ended as if nothing had happened"
            events.append(json.loads(text.removeprefix("data: ")))
            if len(events) == 1:
                server.kill()
    return events


async def test_a_server_stopped_mid_stream_ends_it_with_a_clear_error(
    doomed: PracticeServer, certificate: Certificate, tmp_path: Path
) -> None:
    daemon = start_workstation(tmp_path / "home", doomed.url, certificate.spki_pin, "local")
    try:
        events = await _read_until_first_token_then_stop(daemon, doomed)
        state = health(daemon)["upstream"]
        # The server is gone: the next request is answered by the local model, and says so.
        with OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token) as client:
            after = client.chat.completions.create(
                model=MODEL_ALIAS, messages=QUESTION, max_tokens=16, temperature=0, seed=1
            )
        records = audit_records(daemon)
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert events[0]["sottovoce"] == {
        "answered_by": "upstream",
        "server": f"{doomed.network.upstream}:{doomed.port}",
    }
    assert not any(
        c.get("finish_reason")
        for e in events[:-1]
        for c in e.get("choices", [])  # type: ignore[union-attr]
    ), "the model finished before the server was stopped: the test proved nothing"
    error = events[-1]["error"]
    assert isinstance(error, dict)
    assert "stopped in the middle of the answer" in error["message"]
    assert isinstance(state, dict) and state["llm"]["state"] == "lost"
    assert (after.model_extra or {})["sottovoce"] == {"answered_by": "local"}
    assert "paris" in (after.choices[0].message.content or "").lower()
    outcomes = [r.outcome for r in reversed(records)]
    assert outcomes == ["lost", "unreachable"]
