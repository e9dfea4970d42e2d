"""Piecewise rewrites and SOAP sorting with the real default model through a real daemon."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from daemon.rewrite.chatter import reject_reason
from daemon.rewrite.clinical import tidy
from daemon.rewrite.pieces import split
from tests.support.daemon import RunningDaemon

NOTE = (
    "pt is 52yo female w/ chest pain radiating to L arm, denies fever. bp 140/90 hr 88. "
    "Started metformin 500mg twice daily for diabetes. f/u in 2 weeks."
)


async def _post(daemon: RunningDaemon, body: dict[str, Any]) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(daemon.base_url + "/v1/rewrite", json=body, headers=daemon.headers) as r,
    ):
        assert r.status == 200, await r.text()
        return await r.json()  # type: ignore[no-any-return]


async def _events(daemon: RunningDaemon, body: dict[str, Any]) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/rewrite", json={**body, "stream": True}, headers=daemon.headers
        ) as r,
    ):
        assert r.status == 200
        lines = [line.decode().strip() async for line in r.content if line.strip()]
    assert lines[-1] == "data: [DONE]"
    return [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]


def _pieces(note: str) -> list[str]:
    return [p.text for p in split(note).pieces]


def _tidied_pieces(note: str) -> list[str]:
    """The pieces an LLM preset rewrites: those of the clean-up's text."""
    return _pieces(tidy(note).text)


async def test_a_piece_the_model_damages_keeps_its_original(daemon: RunningDaemon) -> None:
    source = "Give metformin 500 mg daily. Follow up in 2 weeks."
    body = await _post(
        daemon,
        {"text": source, "instruction": "Replace every number in the text with the number 300."},
    )
    first = body["pieces"][0]
    assert first["index"] == 0 and first["kept"] is True and first["reason"] != "rewritten"
    assert body["text"].startswith("Give metformin 500 mg daily.")
    assert "300" not in body["text"]
    assert body["fidelity"]["ok"] is True and body["replace"] is True


async def test_every_piece_is_reported_and_the_merge_is_faithful(daemon: RunningDaemon) -> None:
    body = await _post(daemon, {"text": NOTE, "preset": "proofread"})
    assert [p["index"] for p in body["pieces"]] == list(range(len(_tidied_pieces(NOTE))))
    assert body["fidelity"] == {
        "ok": True,
        "missing": [],
        "added": [],
        "summary": body["fidelity"]["summary"],
    }
    for original, piece in zip(_tidied_pieces(NOTE), body["pieces"], strict=True):
        if piece["kept"]:  # a kept piece is in the text as the model got it
            assert original in body["text"]


async def test_soap_copies_every_sentence_once_verbatim(daemon: RunningDaemon) -> None:
    note = (
        "Pt c/o cough x 1 week, denies fever. Lungs clear, temp 37.2. "
        "Probable viral bronchitis. Talked about work. Return if worse in 7 days."
    )
    body = await _post(daemon, {"text": note, "preset": "soap"})
    text = body["text"]
    for sentence in _pieces(note):
        assert text.count(sentence) == 1, sentence
    headings = [line for line in text.split("\n") if line.endswith(":")]
    assert headings == [
        h + ":" for h in ("Subjective", "Objective", "Assessment", "Plan") if h + ":" in headings
    ]
    assert {p["section"] for p in body["pieces"]} <= {
        "Subjective",
        "Objective",
        "Assessment",
        "Plan",
    }
    # The sentence without cues went to the model, under the grammar.
    assert [p["reason"] for p in body["pieces"]][3] == "model"
    assert body["fidelity"]["ok"] is True


async def test_chatter_asked_for_is_never_returned(daemon: RunningDaemon) -> None:
    source = "Pt denies chest pain. BP 140/90."
    body = await _post(
        daemon,
        {
            "text": source,
            "instruction": (
                "Begin with 'The text could be rephrased to:' then give the text twice, "
                "in quotes, and apologise as an AI."
            ),
        },
    )
    for original, piece in zip(_pieces(source), body["pieces"], strict=True):
        if not piece["kept"]:
            rewritten = body["text"]
            assert reject_reason(rewritten, source) is None
        else:
            assert original in body["text"]
    lowered = body["text"].lower()
    assert "rephrased" not in lowered and "as an ai" not in lowered and '"' not in body["text"]
    assert body["text"].count("140/90") == 1


async def test_streaming_sends_each_piece_as_decided_then_the_result(daemon: RunningDaemon) -> None:
    events = await _events(daemon, {"text": NOTE, "preset": "concise"})
    deltas, result = events[:-1], events[-1]
    assert result["type"] == "result"
    assert [e["type"] for e in deltas] == ["delta"] * len(_tidied_pieces(NOTE))
    assert [e["piece"] for e in deltas] == result["pieces"]
    assert "".join(e["delta"] for e in deltas) == result["text"]
    assert result["fidelity"]["ok"] is True


async def test_soap_streams_a_piece_event_per_sentence(daemon: RunningDaemon) -> None:
    events = await _events(daemon, {"text": "Denies fever. BP 120/80.", "preset": "soap"})
    assert [e["type"] for e in events] == ["piece", "piece", "result"]
    assert [e["piece"]["section"] for e in events[:2]] == ["Subjective", "Objective"]
