"""Changing the default models and preset of a running daemon (what the tray does)."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.support.daemon import start_daemon, write_config


async def test_defaults_change_and_unknown_names_change_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(home, "[speech]\nload_at_start = false\n")
    daemon = start_daemon(home, wait_models=False)
    try:
        async with aiohttp.ClientSession(headers=daemon.headers) as session:
            url = daemon.base_url + "/v1/defaults"
            async with session.get(url) as response:
                assert await response.json() == {
                    "speech_model": "whisper-base",
                    "llm_model": "smollm2-135m-instruct",
                    "rewrite_preset": "proofread",
                }
            async with session.post(
                url, json={"speech_model": "whisper-tiny.en", "rewrite_preset": "concise"}
            ) as response:
                assert response.status == 200
            async with session.post(url, json={"llm_model": "gpt-5"}) as response:
                assert response.status == 404
                assert "gpt-5" in (await response.json())["error"]["message"]
            async with session.get(url) as response:
                assert await response.json() == {
                    "speech_model": "whisper-tiny.en",
                    "llm_model": "smollm2-135m-instruct",
                    "rewrite_preset": "concise",
                }
            async with session.get(daemon.base_url + "/v1/rewrite/presets") as response:
                data = (await response.json())["data"]
            assert [p["name"] for p in data if p["default"]] == ["concise"]
            async with session.get(daemon.base_url + "/v1/health") as response:
                assert (await response.json())["models"]["speech"]["name"] == "whisper-tiny.en"
    finally:
        assert daemon.stop() == 0
