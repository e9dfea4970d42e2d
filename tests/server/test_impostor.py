"""A program that is not the user's daemon holds its address: the project's clients send it nothing.

The impostor is a real listener in its own process (tests/support/impostor.py),
as another user where these tests run as root; it records every byte it gets.
"""

from __future__ import annotations

import asyncio
import base64
import os
import pwd
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from daemon.assets import asset_path
from daemon.client import DaemonAddress, ImpostorError, request_json
from tests.agent.conftest import desktop_env
from tests.doctor.helpers import run_doctor
from tests.hotkeys.xapps import TkEditor, Xvfb, read_line
from tests.support.daemon import (
    RunningDaemon,
    daemon_env,
    sottovoce,
    start_daemon,
    wait_for,
    write_config,
)
from tests.support.pulse import PulseAudio

IMPOSTOR = Path(__file__).resolve().parents[1] / "support" / "impostor.py"
SYSTEM_PYTHON = "/usr/bin/python3"
SECRET = "Jane Roe, HIV positive, metformin 500 mg"
REFUSED = "is not your Sottovoce daemon"
NOBODY = 65534
CLI_TIMEOUT_S = 60  # a client that was fooled would wait on the impostor's WebSocket


@dataclass
class Impostor:
    """The running impostor and who runs it."""

    process: subprocess.Popen[str]
    where: str  # the port, or the socket path
    uid: int

    @property
    def port(self) -> int:
        return int(self.where)

    def received(self) -> bytes:
        """Stop it; every byte that any client sent it."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=30)
        line = next(line for line in out.splitlines() if line.startswith("RECEIVED"))
        return base64.b64decode(line.removeprefix("RECEIVED").strip())

    def close(self) -> None:
        """Stop it if a test did not."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_impostor(mode: str, *args: str, other_user: bool = True) -> Impostor:
    """Start the impostor; as user nobody when these tests may switch users."""
    # Only the standard library: the system's Python runs it for a user without this venv.
    as_nobody = other_user and os.geteuid() == 0 and Path(SYSTEM_PYTHON).exists()
    process = subprocess.Popen(
        [SYSTEM_PYTHON if as_nobody else sys.executable, "-I", str(IMPOSTOR), mode, *args],
        stdout=subprocess.PIPE,
        text=True,
        user=NOBODY if as_nobody else None,
        group=NOBODY if as_nobody else None,
        extra_groups=[] if as_nobody else None,
    )
    line = read_line(process.stdout, 30) or ""
    if not line.startswith("LISTENING "):
        process.kill()
        pytest.fail(f"the impostor did not start: {line!r}")
    return Impostor(process, line.removeprefix("LISTENING "), NOBODY if as_nobody else os.getuid())


@pytest.fixture(params=["wrong", "missing"])
def impostor(request: pytest.FixtureRequest) -> Iterator[Impostor]:
    """On a free port: a made-up proof ("wrong"), or no identity route at all ("missing")."""
    running = start_impostor(request.param)
    yield running
    running.close()


def facing(home: Path, config: str, token: str | None = None) -> str:
    """A home whose config points at the impostor; its token (created as a daemon would)."""
    write_config(home, config)
    token = token or "sv-" + secrets.token_urlsafe(32)
    path = home / "config" / "token"
    path.write_text(token + "\n", encoding="ascii")
    path.chmod(0o600)
    return token


def assert_nothing_sent(received: bytes, token: str, *secrets_: bytes) -> None:
    """The impostor was asked for a proof, and got nothing else of value."""
    assert b"GET /v1/identity?nonce=" in received  # it was reached: the test proves something
    assert token.encode() not in received
    assert b"Authorization" not in received
    for secret in (SECRET.encode(), *secrets_):
        assert secret not in received


def test_rewrite_sends_neither_token_nor_text_to_an_impostor(
    impostor: Impostor, isolated_home: Path
) -> None:
    token = facing(isolated_home, f"[server]\nport = {impostor.port}\n")
    result = sottovoce("rewrite", SECRET, home=isolated_home, timeout=CLI_TIMEOUT_S)
    assert result.returncode == 1
    assert REFUSED in result.stderr and "nothing was sent" in result.stderr
    assert f"127.0.0.1:{impostor.port}" in result.stderr
    assert "does not answer" not in result.stderr  # named as an impostor, not as a stopped daemon
    assert result.stdout == ""
    assert_nothing_sent(impostor.received(), token)


def test_dictate_sends_neither_token_nor_audio_to_an_impostor(
    impostor: Impostor, isolated_home: Path
) -> None:
    token = facing(isolated_home, f"[server]\nport = {impostor.port}\n")
    speech = str(asset_path("speech", "dictation-10s.flac"))
    result = sottovoce("dictate", "--speed", "0", speech, home=isolated_home, timeout=CLI_TIMEOUT_S)
    assert result.returncode == 1
    assert REFUSED in result.stderr
    assert_nothing_sent(impostor.received(), token, b"/v1/dictation", b"Upgrade")


def test_doctor_names_the_impostor_on_the_configured_port(
    impostor: Impostor, isolated_home: Path
) -> None:
    token = facing(isolated_home, f"[server]\nport = {impostor.port}\n")
    report = run_doctor(isolated_home)
    assert report.code == 1
    assert report.status("daemon") == "fail"
    check = report.check("identity")
    assert check["status"] == "fail"
    owner = pwd.getpwuid(impostor.uid).pw_name
    assert check["detail"].startswith(f"port {impostor.port} is held by ")
    assert (
        f"of user {owner!r} (uid {impostor.uid}), not by your Sottovoce daemon" in check["detail"]
    )
    assert "send it nothing" in check["fix"]
    assert_nothing_sent(impostor.received(), token)


def test_a_relay_of_the_real_daemon_is_refused(daemon: RunningDaemon, isolated_home: Path) -> None:
    # As [::1]:P in front of a daemon on 127.0.0.1:P would: its proofs are real, its address not.
    relay = start_impostor("relay", "--relay", daemon.base_url)
    try:
        facing(isolated_home, f"[server]\nport = {relay.port}\n", token=daemon.token)
        result = sottovoce("rewrite", SECRET, home=isolated_home, timeout=CLI_TIMEOUT_S)
        report = run_doctor(isolated_home)
    finally:
        received = relay.received()
    assert result.returncode == 1
    assert f"passes on the answers of your daemon at 127.0.0.1:{daemon.port}" in result.stderr
    assert report.status("identity") == "fail"
    assert_nothing_sent(received, daemon.token)


async def test_a_session_that_outlived_its_daemon_does_not_follow_the_port_to_an_impostor(
    tmp_path: Path,
) -> None:
    # The agent keeps one session for hours: the daemon may stop and someone else take its port.
    home = tmp_path / "daemon-home"
    write_config(home, "[speech]\nload_at_start = false\n[llm]\nload_at_start = false\n")
    real = start_daemon(home, wait_models=False)
    address = DaemonAddress(real.base_url, real.token)
    try:
        async with address.session() as session:
            health = await request_json(session, address, "GET", "/v1/health")
            assert health["status"] == "ok"
            # In a thread: meanwhile the loop sees the daemon close the pooled connection,
            # as the agent's loop would long before the next hotkey.
            assert await asyncio.to_thread(real.stop) == 0
            impostor = await asyncio.to_thread(start_impostor, "wrong", "--port", str(real.port))
            try:
                with pytest.raises(ImpostorError, match=REFUSED):
                    await request_json(session, address, "POST", "/v1/rewrite", {"text": SECRET})
            finally:
                received = impostor.received()
    finally:
        real.stop()
    assert_nothing_sent(received, real.token)


def test_an_impostor_on_the_unix_socket_is_refused(isolated_home: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="sv-") as folder:
        path = str(Path(folder) / "api.sock")
        impostor = start_impostor("wrong", "--unix", path, other_user=False)
        try:
            token = facing(isolated_home, f'[server]\nunix_socket = "{path}"\n')
            result = sottovoce("rewrite", SECRET, home=isolated_home, timeout=CLI_TIMEOUT_S)
            report = run_doctor(isolated_home)
        finally:
            received = impostor.received()
    assert result.returncode == 1
    assert f"refusing to talk to {path}" in result.stderr and REFUSED in result.stderr
    owner = pwd.getpwuid(os.getuid()).pw_name
    assert report.check("identity")["detail"].startswith(
        f"the socket {path} is held by a program of user {owner!r} (uid {os.getuid()})"
    )
    assert_nothing_sent(received, token)


@pytest.mark.x11
@pytest.mark.audio
def test_the_desktop_agent_sends_neither_token_nor_text_nor_audio_to_an_impostor(
    isolated_home: Path, tmp_path: Path, xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> None:
    impostor = start_impostor("wrong")
    token = facing(
        isolated_home, f"[server]\nport = {impostor.port}\n[hotkeys]\naudio_cues = false\n"
    )
    editor = TkEditor(xvfb, tmp_path)
    log = tmp_path / "agent.log"
    with log.open("wb") as out:
        agent = subprocess.Popen(
            [sys.executable, "-m", "daemon", "agent"],
            env=daemon_env(isolated_home, desktop_env(xvfb, pulse)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Its health poll: named as an impostor, not as a stopped daemon.
        wait_for(lambda: "Not your Sottovoce daemon: refusing" in log.read_text(), timeout=30)
        editor.reset(SECRET, select=True)
        xvfb.run("xdotool", "key", "ctrl+alt+r")
        wait_for(lambda: "Rewrite failed: refusing" in log.read_text(), timeout=30)
        assert editor.text() == SECRET
        xvfb.run("xdotool", "keydown", "ctrl+alt+space")
        wait_for(lambda: "agent listening" in log.read_text(), timeout=10)
        time.sleep(1)  # the microphone records while the key is held
        xvfb.run("xdotool", "keyup", "space")
        xvfb.run("xdotool", "keyup", "ctrl", "alt")
        wait_for(lambda: "Dictation failed: refusing" in log.read_text(), timeout=30)
        assert REFUSED in log.read_text()
    finally:
        agent.terminate()
        code = agent.wait(30)
        editor.close()
        received = impostor.received()
    assert code == 0, log.read_text()
    assert_nothing_sent(received, token, b"/v1/dictation", b"/v1/rewrite")
