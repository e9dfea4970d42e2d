"""The clean-up pre-pass of LLM rewrites through a real daemon on the default model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.daemon import RunningDaemon, start_daemon

# Asked for, the default model replaces the numbers: the piece's rewrite is rejected.
DAMAGE = "Replace every number in the text with the number 300."
SOURCE = "give metformin 500mg daily. follow up in 2 weeks"


async def _post(daemon: RunningDaemon, body: dict[str, Any]) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(daemon.base_url + "/v1/rewrite", json=body, headers=daemon.headers) as r,
    ):
        assert r.status == 200, await r.text()
        return await r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def raw_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDaemon]:
    """A daemon configured for the raw LLM path: no clean-up first."""
    home: Path = tmp_path_factory.mktemp("raw-home")
    (home / "config").mkdir(mode=0o700)
    (home / "config" / "config.toml").write_text("[rewrite]\ntidy_first = false\n")
    daemon = start_daemon(home)
    yield daemon
    assert daemon.stop() == 0, daemon.log()


async def test_a_rejected_piece_falls_back_to_its_tidied_form(daemon: RunningDaemon) -> None:
    body = await _post(daemon, {"text": SOURCE, "instruction": DAMAGE})
    first = body["pieces"][0]
    assert first["kept"] is True and first["reason"] != "rewritten"
    assert first["tidied"] is True  # "tidied only": the clean-up's text, not the user's
    assert body["text"].startswith("Give metformin 500 mg daily.")
    assert "300" not in body["text"]
    # The guard compared the answer with what the user wrote.
    assert body["fidelity"]["ok"] is True and body["replace"] is True


async def test_the_raw_path_keeps_the_users_own_wording(raw_daemon: RunningDaemon) -> None:
    body = await _post(raw_daemon, {"text": SOURCE, "instruction": DAMAGE})
    first = body["pieces"][0]
    assert first["kept"] is True and first["tidied"] is False
    assert body["text"].startswith("give metformin 500mg daily.")


async def test_do_not_use_notations_found_by_the_clean_up_reach_the_warnings(
    daemon: RunningDaemon,
) -> None:
    body = await _post(
        daemon, {"text": "insulin 10 U qd. denies hypoglycaemia", "preset": "concise"}
    )
    codes = [w["code"] for w in body["warnings"]]
    assert codes == ["unit-u", "qd"]
    # Flagged, never changed: the notations are in the answer where the warnings say.
    for warning in body["warnings"]:
        assert body["text"][warning["start"] :].startswith(warning["text"])
    assert body["fidelity"]["ok"] is True


async def test_a_proofread_answer_is_at_least_tidy(daemon: RunningDaemon) -> None:
    source = "pt denies fever.bp 140/90 hr 88 , started metformin 500mg"
    body = await _post(daemon, {"text": source, "preset": "proofread"})
    text = body["text"]
    assert text[0] == "P" and "500 mg" in text and " ," not in text
    assert body["fidelity"]["ok"] is True
    assert body["pieces"][0]["tidied"] is True
