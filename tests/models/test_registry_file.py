"""models.toml: written by a TOML library from validated names, refused as a whole with
its fix when broken (the daemon does not start on it), and readable by the user only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.support.daemon import sottovoce, start_daemon, write_config

NO_MODELS = "[speech]\nload_at_start = false\n"


def _gguf(path: Path) -> Path:
    path.write_bytes(b"GGUF" + bytes(60))
    return path


async def _model_ids(base_url: str, headers: dict[str, str]) -> dict[str, str]:
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(base_url + "/v1/models") as response,
    ):
        assert response.status == 200
        return {m["id"]: m["owned_by"] for m in (await response.json())["data"]}


def test_hostile_names_are_refused_and_a_hostile_path_is_stored_as_written(
    tmp_path: Path, isolated_home: Path
) -> None:
    odd = _gguf(tmp_path / 'q".gguf')
    refused = sottovoce("models", "add", str(odd), home=isolated_home)
    assert refused.returncode == 1
    assert "not a valid model name" in refused.stderr and "--name" in refused.stderr
    for name in ('evil"\n[speech.x]', "Upper", "whisper-base", "whisper-1", "a b"):
        bad = sottovoce("models", "add", str(odd), "--name", name, home=isolated_home)
        assert bad.returncode == 1, name
        assert "model name" in bad.stderr or "built-in" in bad.stderr
    assert not (isolated_home / "config" / "models.toml").exists()

    added = sottovoce("models", "add", str(odd), "--name", "odd-one", home=isolated_home)
    assert added.returncode == 0, added.stderr
    registry = isolated_home / "config" / "models.toml"
    assert registry.stat().st_mode & 0o777 == 0o600
    write_config(isolated_home, NO_MODELS)
    daemon = start_daemon(isolated_home, wait_models=False)
    try:
        ids = asyncio.run(_model_ids(daemon.base_url, daemon.headers))
        assert ids["odd-one"] == "sottovoce-user"
        assert ids["whisper-base"] == "sottovoce-embedded"  # not repointed
    finally:
        assert daemon.stop() == 0
    listed = sottovoce("models", "list", home=isolated_home)
    assert str(odd) in listed.stdout


def test_a_broken_registry_stops_the_start_with_its_fix(isolated_home: Path) -> None:
    write_config(isolated_home, NO_MODELS)
    registry = isolated_home / "config" / "models.toml"
    for broken in (
        '[llm."q"]\npath = "/x.gguf"\n[llm."q"]\n',  # not TOML
        '[llm."whisper-base"]\npath = "/x.gguf"\n',  # repoints a built-in
        '[llm."bad name"]\npath = "/x.gguf"\n',
        '[llm."ok"]\npath = "relative.gguf"\n',
        '[tts."ok"]\npath = "/x"\n',
    ):
        registry.write_text(broken)
        started = sottovoce("serve", "--port", "0", home=isolated_home, timeout=60)
        assert started.returncode == 1, broken
        assert "model registry models.toml is broken" in started.stderr, started.stderr
        assert "fix or delete models.toml" in started.stderr
        assert "Traceback" not in started.stderr
        listed = sottovoce("models", "list", home=isolated_home)
        assert listed.returncode == 1 and "is broken" in listed.stderr
        # Adding on top of a broken file would lose what it holds: refused too.
        gguf = _gguf(isolated_home / "fine.gguf")
        added = sottovoce("models", "add", str(gguf), "--name", "fine", home=isolated_home)
        assert added.returncode == 1 and "is broken" in added.stderr
        assert registry.read_text() == broken


def test_the_daemons_files_are_the_users_only(isolated_home: Path) -> None:
    write_config(isolated_home, NO_MODELS)
    daemon = start_daemon(isolated_home, wait_models=False)
    try:
        files = [
            isolated_home / "state" / "daemon.json",
            isolated_home / "state" / "daemon.lock",
            *(isolated_home / "logs").rglob("*"),
        ]
        assert len(files) > 2
        for path in files:
            if path.is_file():
                assert path.stat().st_mode & 0o077 == 0, path
    finally:
        assert daemon.stop() == 0
