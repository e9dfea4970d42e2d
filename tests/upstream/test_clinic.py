"""Clinic mode end to end: a workstation daemon whose LLM is llama-cpp-python's own server
behind pinned TLS in another network namespace, through the official openai client."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
from openai import APIStatusError, OpenAI

from daemon.history.keys import load_key
from daemon.history.store import HistoryStore
from daemon.paths import Paths
from daemon.rewrite.fidelity import check_fidelity
from daemon.upstream.audit import UpstreamRecord
from daemon.upstream.selfsigned import make_certificate
from tests.support.daemon import RunningDaemon, health, sottovoce, wait_for
from tests.upstream.conftest import start_workstation
from tests.upstream.support import (
    MODEL_ALIAS,
    Certificate,
    PracticeNetwork,
    PracticeServer,
    recording_server,
)

QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]
CLINICAL = "Pt denies chest pain. BP 140/90. Started metformin 500 mg twice daily."


def client_of(daemon: RunningDaemon) -> OpenAI:
    return OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0)


def audit_records(daemon: RunningDaemon) -> list[UpstreamRecord]:
    """The workstation's upstream audit trail, read from its encrypted history."""
    paths = Paths.from_env({"SOTTOVOCE_HOME": str(daemon.home)})
    key = load_key("file", paths.key_file, "UNUSED", db_exists=True)
    with HistoryStore.open(paths.history_db, key) as store:
        return store.upstream_log(500)


def test_chat_is_answered_by_the_practice_server(
    workstation: RunningDaemon, server: PracticeServer
) -> None:
    before = server.requests_logged()
    with client_of(workstation) as client:
        result = client.chat.completions.create(
            model=MODEL_ALIAS, messages=QUESTION, max_tokens=16, temperature=0, seed=1
        )
    assert "paris" in (result.choices[0].message.content or "").lower()
    assert result.model == MODEL_ALIAS
    assert (result.model_extra or {})["sottovoce"] == {
        "answered_by": "upstream",
        "server": f"{server.network.upstream}:{server.port}",
    }
    assert server.requests_logged() == before + 1


def test_the_default_model_is_the_upstream_one(workstation: RunningDaemon) -> None:
    with client_of(workstation) as client:
        result = client.chat.completions.create(
            model="", messages=QUESTION, max_tokens=8, temperature=0
        )
    assert result.model == MODEL_ALIAS
    assert (result.model_extra or {})["sottovoce"]["answered_by"] == "upstream"


def test_streaming_goes_through_the_upstream(
    workstation: RunningDaemon, server: PracticeServer
) -> None:
    before = server.requests_logged()
    with client_of(workstation) as client:
        whole = client.chat.completions.create(
            model=MODEL_ALIAS, messages=QUESTION, max_tokens=16, temperature=0, seed=1
        )
        chunks = list(
            client.chat.completions.create(
                model=MODEL_ALIAS,
                messages=QUESTION,
                max_tokens=16,
                temperature=0,
                seed=1,
                stream=True,
            )
        )
    assert len(chunks) > 2
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert (chunks[0].model_extra or {})["sottovoce"]["answered_by"] == "upstream"
    assert server.requests_logged() == before + 2


async def test_rewrite_is_checked_locally_by_the_fidelity_guard(
    workstation: RunningDaemon, server: PracticeServer
) -> None:
    before = server.requests_logged()
    body = {"text": CLINICAL, "preset": "proofread"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            workstation.base_url + "/v1/rewrite", json=body, headers=workstation.headers
        ) as response,
    ):
        status, result = response.status, await response.json()
    assert status == 200, result
    assert result["model"] == MODEL_ALIAS
    report = check_fidelity(CLINICAL, result["text"])
    assert result["fidelity"] == {**report.to_dict(), "summary": report.summary()}
    assert server.requests_logged() > before
    assert result["answered_by"] == "upstream"


async def test_a_streamed_rewrite_says_which_engine_answered(
    workstation: RunningDaemon, server: PracticeServer
) -> None:
    before = server.requests_logged()
    body = {"text": CLINICAL, "preset": "proofread", "stream": True}
    events = []
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            workstation.base_url + "/v1/rewrite", json=body, headers=workstation.headers
        ) as response,
    ):
        async for line in response.content:
            text = line.decode().strip()
            if text.startswith("data: ") and text != "data: [DONE]":
                events.append(json.loads(text.removeprefix("data: ")))
    result = next(e for e in events if e["type"] == "result")
    assert result["answered_by"] == "upstream"
    assert server.requests_logged() > before


async def test_models_lists_the_upstream_beside_the_local_ones(
    workstation: RunningDaemon, server: PracticeServer
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(workstation.base_url + "/v1/models", headers=workstation.headers) as response,
    ):
        listed = {m["id"]: m for m in (await response.json())["data"]}
    assert listed[MODEL_ALIAS]["owned_by"] == f"upstream-{server.network.upstream}:{server.port}"
    assert listed["smollm2-135m-instruct"]["owned_by"].startswith("sottovoce-")


def test_health_shows_the_upstream_and_its_pin(
    workstation: RunningDaemon, server: PracticeServer, certificate: Certificate
) -> None:
    with client_of(workstation) as client:
        client.chat.completions.create(model=MODEL_ALIAS, messages=QUESTION, max_tokens=4)
    upstream = health(workstation)["upstream"]
    assert isinstance(upstream, dict)
    assert upstream["llm"]["url"] == server.url
    assert upstream["llm"]["pin"] == certificate.spki_pin
    assert upstream["llm"]["state"] == "ok"
    assert upstream["llm"]["door"] == [f"{server.network.upstream} port {server.port}"]


def test_every_upstream_request_is_audited_without_content(
    workstation: RunningDaemon, server: PracticeServer
) -> None:
    before = audit_records(workstation)
    secret = "Mrs Alvarez, 61, BP 150/95"
    with client_of(workstation) as client:
        for _ in range(2):
            client.chat.completions.create(
                model=MODEL_ALIAS,
                messages=[{"role": "user", "content": f"Repeat: {secret}"}],
                max_tokens=8,
            )
        list(
            client.chat.completions.create(
                model=MODEL_ALIAS, messages=QUESTION, max_tokens=8, stream=True
            )
        )
    new = audit_records(workstation)[: len(audit_records(workstation)) - len(before)]
    assert len(new) == 3
    for record in new:
        assert record.engine == "llm" and record.model == MODEL_ALIAS
        assert record.endpoint == "/v1/chat/completions"
        assert record.outcome == "ok" and record.status == 200
        assert record.bytes_sent > 0 and record.bytes_received > 0
        assert "Alvarez" not in json.dumps(record.__dict__)
    # The content is nowhere in the audit table, not even as part of a column.
    paths = Paths.from_env({"SOTTOVOCE_HOME": str(workstation.home)})
    key = load_key("file", paths.key_file, "UNUSED", db_exists=True)
    with HistoryStore.open(paths.history_db, key) as store:
        columns = {type(value) for r in store.upstream_log(500) for value in r.__dict__.values()}
    assert columns <= {float, int, str, type(None)}
    shown = sottovoce("history", "upstream", "--limit", "3", home=workstation.home)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("/v1/chat/completions") == 3
    assert "Alvarez" not in shown.stdout


async def test_a_client_that_leaves_mid_stream_stops_the_upstream_request(
    workstation: RunningDaemon,
) -> None:
    before = len(audit_records(workstation))
    body = {
        "model": MODEL_ALIAS,
        "messages": [{"role": "user", "content": "Count from 1 to 1000: 1, 2, 3,"}],
        "max_tokens": 1000,
        "temperature": 0,
        "stream": True,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            workstation.base_url + "/v1/chat/completions", json=body, headers=workstation.headers
        ) as response,
    ):
        assert response.status == 200
        await response.content.readline()  # the first event: the stream is under way
    # The daemon closed its connection to the server: the request ended as cancelled.
    wait_for(lambda: len(audit_records(workstation)) > before)
    assert audit_records(workstation)[0].outcome == "cancelled"


def test_doctor_names_the_server_and_its_pin_first(
    workstation: RunningDaemon, server: PracticeServer, certificate: Certificate
) -> None:
    done = sottovoce("doctor", "--json", home=workstation.home)
    first = json.loads(done.stdout)["checks"][0]
    assert first["name"] == "upstream"
    assert first["status"] == "ok", first
    assert server.url in first["detail"] and certificate.spki_pin in first["detail"]


def test_a_pin_mismatch_sends_not_one_byte_of_content(
    network: PracticeNetwork, certificate: Certificate, tmp_path: Path
) -> None:
    impostor = make_certificate(tmp_path / "tls", "impostor", [network.host])
    with recording_server(network.host, impostor) as fake:
        url = f"https://{network.host}:{fake.port}/v1"
        # The workstation trusts the real server's key; the impostor has another.
        daemon = start_workstation(tmp_path / "home", url, certificate.spki_pin)
        try:
            with client_of(daemon) as client, pytest.raises(APIStatusError) as refused:
                client.chat.completions.create(
                    model=MODEL_ALIAS,
                    messages=[{"role": "user", "content": "Mrs Alvarez has a fever."}],
                )
            wait_for(lambda: fake.connections_ended >= 1)
            doctor = sottovoce("doctor", "--json", home=daemon.home)
            records = audit_records(daemon)
        finally:
            assert daemon.stop() == 0, daemon.log()
    assert refused.value.status_code == 503
    assert "does not match the configured pin" in str(refused.value)
    assert fake.handshakes >= 1
    assert fake.received == b""
    assert [(r.outcome, r.bytes_sent) for r in records] == [("pin_mismatch", 0)]
    first = json.loads(doctor.stdout)["checks"][0]
    assert doctor.returncode == 1
    assert first["name"] == "upstream" and first["status"] == "fail"
    assert "PIN MISMATCH" in first["detail"]
