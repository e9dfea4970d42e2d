"""Serving on a Unix socket in a user-only folder: no browser can reach it, every client can."""

from __future__ import annotations

import json
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import psutil
import pytest

from daemon.assets import asset_path
from tests.agent.conftest import desktop_env
from tests.hotkeys.xapps import Xvfb
from tests.support.daemon import RunningDaemon, sottovoce, start_daemon, wait_for, write_config
from tests.support.pulse import PulseAudio

CONFIG = '[server]\nunix_socket = "{socket}"\n[speech]\nload_at_start = false\n'


@pytest.fixture
def short_folder() -> Iterator[Path]:
    """A folder with a short path: a socket path must fit in about 100 bytes."""
    with tempfile.TemporaryDirectory(prefix="sv-") as folder:
        yield Path(folder)


@pytest.fixture
def socket_daemon(short_folder: Path, tmp_path: Path) -> Iterator[RunningDaemon]:
    home = tmp_path / "home"
    write_config(home, CONFIG.format(socket=short_folder / "run" / "api.sock"))
    daemon = start_daemon(home, wait_models=False)
    yield daemon
    assert daemon.stop() == 0, daemon.log()


async def _get(daemon: RunningDaemon, path: str, host: str) -> int:
    connector = aiohttp.UnixConnector(path=daemon.unix_socket)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(f"http://{host}{path}", headers={**daemon.headers, "Host": host}) as response,
    ):
        return response.status


def test_the_socket_is_private_and_replaces_the_tcp_port(socket_daemon: RunningDaemon) -> None:
    socket = Path(socket_daemon.unix_socket)
    assert stat.S_ISSOCK(socket.stat().st_mode)
    assert stat.S_IMODE(socket.stat().st_mode) == 0o600
    assert stat.S_IMODE(socket.parent.stat().st_mode) == 0o700
    listening = [
        c
        for c in psutil.Process(socket_daemon.process.pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening == []


def test_the_cli_and_the_doctor_reach_the_daemon_through_the_socket(
    socket_daemon: RunningDaemon,
) -> None:
    result = sottovoce("rewrite", "--preset", "proofread", "BP 140/90.", home=socket_daemon.home)
    assert result.returncode in (0, 3), result.stderr  # 3: the fidelity check failed
    assert result.stdout.strip()
    speech = str(asset_path("speech", "dictation-10s.flac"))
    dictated = sottovoce("dictate", "--speed", "0", "--quiet", speech, home=socket_daemon.home)
    assert dictated.returncode == 0, dictated.stderr
    assert "type 2 diabetes" in dictated.stdout  # through the WebSocket on the socket
    report = sottovoce("doctor", "--json", home=socket_daemon.home)
    checks = {c["name"]: c for c in json.loads(report.stdout)["checks"]}
    assert checks["daemon"]["status"] == "ok", checks["daemon"]
    assert socket_daemon.unix_socket in checks["daemon"]["detail"]
    assert checks["identity"]["status"] == "ok", checks["identity"]  # the proof over the socket
    assert checks["listening"]["status"] == "ok", checks["listening"]


async def test_the_host_check_holds_on_the_socket(socket_daemon: RunningDaemon) -> None:
    assert await _get(socket_daemon, "/v1/models", "localhost") == 200
    assert await _get(socket_daemon, "/v1/models", "evil.example") == 403


def test_the_socket_is_removed_at_shutdown(socket_daemon: RunningDaemon) -> None:
    socket = Path(socket_daemon.unix_socket)
    assert socket.exists()
    assert socket_daemon.stop() == 0
    assert not socket.exists()


def test_a_socket_folder_open_to_others_is_refused(short_folder: Path, tmp_path: Path) -> None:
    folder = short_folder / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    home = tmp_path / "home"
    write_config(home, CONFIG.format(socket=folder / "api.sock"))
    result = sottovoce("serve", home=home, timeout=60)
    assert result.returncode != 0
    assert f"chmod 700 {folder}" in result.stderr
    assert not (folder / "api.sock").exists()


def test_the_agent_talks_to_the_daemon_through_the_socket(
    short_folder: Path, tmp_path: Path, xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> None:
    home = tmp_path / "home"
    write_config(
        home,
        CONFIG.format(socket=short_folder / "api.sock") + "[hotkeys]\naudio_cues = false\n",
    )
    daemon = start_daemon(home, env=desktop_env(xvfb, pulse), wait_models=False)
    try:
        wait_for(lambda: "hotkeys are ready" in daemon.log(), timeout=30)
    finally:
        assert daemon.stop() == 0, daemon.log()
