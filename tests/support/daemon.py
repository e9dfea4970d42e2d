"""Start a real `sottovoce serve` process for tests and talk to it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

START_TIMEOUT = 60.0


@dataclass
class RunningDaemon:
    """A daemon process under test."""

    process: subprocess.Popen[bytes]
    home: Path
    port: int
    token: str
    log_path: Path
    unix_socket: str = ""  # set when it serves on a Unix socket (then port is 0)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def daemon_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a daemon or CLI process using `home`."""
    env = dict(os.environ)
    # No desktop unless a test asks for one: the daemon would start its hotkey agent.
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    env["SOTTOVOCE_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def write_config(home: Path, text: str) -> Path:
    """Write config.toml into a SOTTOVOCE_HOME."""
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sottovoce(
    *args: str,
    home: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    input: bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "daemon", *args],
        env=daemon_env(home, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input.decode() if input is not None else None,
    )


def start_daemon(
    home: Path, *args: str, env: dict[str, str] | None = None, wait_models: bool = True
) -> RunningDaemon:
    """Start `sottovoce serve --port 0` and wait until it answers (and its model loaded)."""
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "serve.out"
    runtime = home / "state" / "daemon.json"
    runtime.unlink(missing_ok=True)
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daemon", "serve", "--port", "0", *args],
            env=daemon_env(home, env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    record: dict[str, object] | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daemon exited with {process.returncode}:\n{log_path.read_text()}")
        if runtime.exists():
            try:
                record = json.loads(runtime.read_text())
                break
            except ValueError:
                pass
        time.sleep(0.05)
    if record is None:
        process.kill()
        raise RuntimeError(f"daemon did not start:\n{log_path.read_text()}")
    token = (home / "config" / "token").read_text().strip()
    port, unix_socket = int(str(record["port"])), str(record.get("unix_socket", ""))
    daemon = RunningDaemon(process, home, port, token, log_path, unix_socket)
    if wait_models:
        wait_for(lambda: health(daemon)["models"]["speech"]["state"] in ("loaded", "error"))
    return daemon


def health(daemon: RunningDaemon) -> dict[str, object]:
    with urllib.request.urlopen(daemon.base_url + "/v1/health", timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def wait_for(condition: object, timeout: float = 60.0, interval: float = 0.05) -> None:
    """Poll a condition until true; fail with a clear message at the deadline."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


async def leave_once_busy(daemon: RunningDaemon, engine: str, request: Awaitable[object]) -> None:
    """Start `request`, wait until /v1/health shows `engine` ("speech" or "llm") at work
    on it, then drop the connection as a client that gives up would."""
    sent = asyncio.ensure_future(request)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while True:
                async with session.get(daemon.base_url + "/v1/health") as response:
                    if (await response.json())["models"][engine]["busy"]:
                        return
                assert not sent.done(), "the request ended before the engine was busy"
                assert time.monotonic() < deadline, f"the {engine} engine never became busy"
                await asyncio.sleep(0.05)
    finally:
        sent.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sent
