"""The `clinical-cleanup` preset through the real daemon: no model, warnings in the response."""

from __future__ import annotations

import json

import aiohttp

from tests.support.daemon import RunningDaemon, sottovoce

NOTE = "pt denies sob. insulin 10 U qd , warfarin 5.0mg"
TIDIED = "Pt denies sob. Insulin 10 U qd, warfarin 5.0 mg."


async def test_clinical_cleanup_tidies_without_a_model_and_flags_do_not_use(
    daemon: RunningDaemon,
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/rewrite",
            json={"text": NOTE, "preset": "clinical-cleanup"},
            headers=daemon.headers,
        ) as response,
    ):
        assert response.status == 200
        body = await response.json()
    assert body["text"] == TIDIED
    assert body["preset"] == "clinical-cleanup"
    assert body["model"] == "deterministic"
    assert body["fidelity"] == {
        "ok": True,
        "missing": [],
        "added": [],
        "summary": "No clinical facts changed.",
    }
    assert [(w["code"], w["text"]) for w in body["warnings"]] == [
        ("unit-u", "U"),
        ("qd", "qd"),
        ("trailing-zero", "5.0 mg"),
    ]
    assert all(TIDIED[w["start"] :].startswith(w["text"]) for w in body["warnings"])


async def test_streamed_clinical_cleanup_sends_the_text_then_the_checked_result(
    daemon: RunningDaemon,
) -> None:
    body = {"text": NOTE, "preset": "clinical-cleanup", "stream": True}
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
    assert [e["delta"] for e in events if e["type"] == "delta"] == [TIDIED]
    result = events[-1]
    assert result["type"] == "result" and result["text"] == TIDIED
    assert result["fidelity"]["ok"] is True
    assert [w["code"] for w in result["warnings"]] == ["unit-u", "qd", "trailing-zero"]


async def test_the_presets_list_says_which_preset_needs_no_model(daemon: RunningDaemon) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(daemon.base_url + "/v1/rewrite/presets", headers=daemon.headers) as response,
    ):
        body = await response.json()
    needs_llm = {p["name"]: p["llm"] for p in body["data"]}
    assert needs_llm["clinical-cleanup"] is False
    assert needs_llm["proofread"] is True


def test_the_cli_prints_the_tidied_text_and_each_warning(daemon: RunningDaemon) -> None:
    result = sottovoce("rewrite", "--preset", "clinical-cleanup", NOTE, home=daemon.home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == TIDIED + "\n"
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 3
    assert warnings[2].startswith('sottovoce: warning: 5.0 mg: Write "5 mg"')
