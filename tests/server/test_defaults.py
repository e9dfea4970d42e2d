"""Changing the default models and preset of a running daemon (what the tray does)."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.support.daemon import start_daemon, write_config

CONFIG = "# the user's own notes\n[speech]\nload_at_start = false  # start fast\n"
DEFAULTS_URL = "/v1/defaults"


async def test_defaults_change_and_unknown_names_change_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = write_config(home, CONFIG)
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
            saved = config.read_text()
            async with session.post(url, json={"llm_model": "gpt-5"}) as response:
                assert response.status == 404
                assert "gpt-5" in (await response.json())["error"]["message"]
            assert config.read_text() == saved
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


async def test_defaults_are_saved_with_the_users_comments_and_outlast_a_restart(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    config = write_config(home, CONFIG)
    daemon = start_daemon(home, wait_models=False)
    try:
        async with aiohttp.ClientSession(headers=daemon.headers) as session:
            change = {"speech_model": "whisper-tiny.en", "rewrite_preset": "soap"}
            async with session.post(daemon.base_url + DEFAULTS_URL, json=change) as response:
                assert response.status == 200
    finally:
        assert daemon.stop() == 0
    text = config.read_text()
    assert text.startswith("# the user's own notes\n[speech]\n")
    assert "load_at_start = false  # start fast" in text
    assert 'model = "whisper-tiny.en"' in text and 'default_preset = "soap"' in text
    daemon = start_daemon(home, wait_models=False)
    try:
        async with (
            aiohttp.ClientSession(headers=daemon.headers) as session,
            session.get(daemon.base_url + DEFAULTS_URL) as response,
        ):
            defaults = await response.json()
        assert defaults["speech_model"] == "whisper-tiny.en"
        assert defaults["rewrite_preset"] == "soap"
    finally:
        assert daemon.stop() == 0


async def test_a_config_file_broken_since_the_start_is_not_touched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = write_config(home, CONFIG)
    daemon = start_daemon(home, wait_models=False)
    try:
        broken = CONFIG + "[llm\n"  # the user is half-way through an edit
        config.write_text(broken)
        async with aiohttp.ClientSession(headers=daemon.headers) as session:
            url = daemon.base_url + DEFAULTS_URL
            async with session.post(url, json={"rewrite_preset": "concise"}) as response:
                assert response.status == 409
                message = (await response.json())["error"]["message"]
                assert "nothing changed" in message and str(config) not in message
            async with session.get(url) as response:
                assert (await response.json())["rewrite_preset"] == "proofread"
        assert config.read_text() == broken
        assert "not valid TOML" in daemon.log()
    finally:
        assert daemon.stop() == 0
