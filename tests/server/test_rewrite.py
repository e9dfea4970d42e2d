"""The rewrite service with the real default model, and its fidelity report."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.support.daemon import RunningDaemon

CLINICAL = "Pt denies chest pain. BP 140/90. Started metformin 500 mg twice daily for diabetes."


async def _post(daemon: RunningDaemon, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/rewrite", json=body, headers=daemon.headers
        ) as response,
    ):
        return response.status, await response.json()


async def test_rewrite_returns_text_and_fidelity_report(daemon: RunningDaemon) -> None:
    status, body = await _post(daemon, {"text": CLINICAL, "preset": "proofread"})
    assert status == 200, body
    assert isinstance(body["text"], str) and body["text"]
    assert body["preset"] == "proofread"
    fidelity = body["fidelity"]
    assert isinstance(fidelity, dict) and set(fidelity) == {"ok", "missing", "added", "summary"}
    # The report must agree with the facts of the text the model really produced.
    from daemon.rewrite.fidelity import check_fidelity

    report = check_fidelity(CLINICAL, str(body["text"]))
    assert fidelity == {**report.to_dict(), "summary": report.summary()}
    # Replace-or-keep is the daemon's policy (rewrite.replace_when_unfaithful is off here).
    assert body["replace"] is report.ok
    if "500" not in str(body["text"]):
        assert fidelity["ok"] is False and "500 mg" in fidelity["missing"]


async def test_a_changed_dose_is_reported(daemon: RunningDaemon) -> None:
    # An instruction that makes even a tiny model change the number.
    status, body = await _post(
        daemon,
        {
            "text": "Give metformin 500 mg daily.",
            "instruction": "Replace every number in the text with the number 300.",
        },
    )
    assert status == 200
    fidelity = body["fidelity"]
    assert isinstance(fidelity, dict)
    if "500" not in str(body["text"]):
        assert fidelity["ok"] is False
        assert "500 mg" in fidelity["missing"]


async def test_streaming_rewrite_ends_with_checked_result(daemon: RunningDaemon) -> None:
    body = {"text": "the patient have no fever and no cough", "preset": "proofread", "stream": True}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/rewrite", json=body, headers=daemon.headers
        ) as response,
    ):
        assert response.status == 200
        lines = [line.decode().strip() async for line in response.content if line.strip()]
    assert lines[-1] == "data: [DONE]"
    events = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    deltas = [e["delta"] for e in events if e["type"] == "delta"]
    result = events[-1]
    assert result["type"] == "result"
    assert deltas and result["text"]
    assert set(result["fidelity"]) == {"ok", "missing", "added"}


async def test_presets_lists_built_ins(daemon: RunningDaemon) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(daemon.base_url + "/v1/rewrite/presets", headers=daemon.headers) as response,
    ):
        body = await response.json()
    names = {p["name"] for p in body["data"]}
    assert {"proofread", "concise", "professional", "friendly", "patient-friendly", "soap"} <= names
    assert [p["name"] for p in body["data"] if p["default"]] == ["proofread"]


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text is empty"),
        ({"text": "x" * 9000}, "limit of 8000 characters"),
        ({"text": "hello", "preset": "shakespeare"}, "unknown preset 'shakespeare'"),
        ({"text": "hello", "preset": "concise", "instruction": "shorter"}, "not both"),
        ({"txt": "hello"}, "text"),
    ],
)
async def test_bad_rewrite_requests_are_400(
    daemon: RunningDaemon, body: dict[str, object], expected: str
) -> None:
    status, answer = await _post(daemon, body)
    assert status == 400
    assert expected in answer["error"]["message"]  # type: ignore[index]
