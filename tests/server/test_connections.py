"""Idle and half-sent connections are closed, and a flood cannot lock the token holder out
(issue 12, item 5)."""

from __future__ import annotations

import asyncio
import json
import resource
import select
import socket
import sys
import time
from collections.abc import Iterator

import aiohttp
import pytest

from tests.support.daemon import RunningDaemon, start_daemon, write_config
from tests.support.rawhttp import exchange

IDLE = 1.5
BODY = 1.5
CAP = 64
SLOWLORIS = 50


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None) -> Iterator[RunningDaemon]:
    """A daemon with short idle and body timeouts."""
    home = tmp_path_factory.mktemp("timeouts-home")
    write_config(home, f"[server]\nidle_timeout_seconds = {IDLE}\nbody_timeout_seconds = {BODY}\n")
    running = start_daemon(home, wait_models=False)
    yield running
    assert running.stop() == 0, running.log()


def _open_partial(port: int, head: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(head)
    sock.setblocking(False)
    return sock


def _closed_by_peer(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_slowloris_sockets_are_closed_after_the_idle_timeout(quick: RunningDaemon) -> None:
    head = f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\nX-Slow: ".encode()
    started = time.monotonic()
    sockets = [_open_partial(quick.port, head) for _ in range(SLOWLORIS)]
    open_ones = set(sockets)
    try:
        while open_ones and time.monotonic() - started < IDLE + 10:
            for sock in list(open_ones):
                try:
                    sock.send(b"a")  # one header byte at a time, as slowloris does
                except OSError:
                    open_ones.discard(sock)
            readable, _, _ = select.select(list(open_ones), [], [], 0.2)
            open_ones -= {s for s in readable if _closed_by_peer(s)}
        elapsed = time.monotonic() - started
    finally:
        for sock in sockets:
            sock.close()
    assert not open_ones, f"{len(open_ones)} of {SLOWLORIS} half-sent requests still open"
    # Closed by the timeout, not at once (that would be a broken server).
    assert elapsed >= IDLE * 0.8


def test_an_idle_keep_alive_connection_is_closed(quick: RunningDaemon) -> None:
    request = f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", quick.port), timeout=IDLE + 10) as sock:
        sock.sendall(request)
        answered = time.monotonic()
        received = b""
        while chunk := sock.recv(65536):  # ends when the server closes the idle connection
            received += chunk
        idle_for = time.monotonic() - answered
    assert received.startswith(b"HTTP/1.1 200")
    assert IDLE * 0.8 <= idle_for < IDLE + 10


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/v1/rewrite", "application/json"),
        ("/v1/audio/transcriptions", "multipart/form-data; boundary=x"),
    ],
)
def test_a_body_that_stops_arriving_gets_408(
    quick: RunningDaemon, path: str, content_type: str
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\n"
        f"Authorization: Bearer {quick.token}\r\nContent-Type: {content_type}\r\n"
        "Content-Length: 100000\r\n\r\n"
    ).encode()
    started = time.monotonic()
    response = exchange(quick.port, head + b'{"text": "the patient', timeout=BODY + 15)
    assert response.status == 408, response.head
    assert json.loads(response.body)["error"]["code"] == "request_timeout"
    assert time.monotonic() - started >= BODY * 0.8


FLOOD = """
import socket, sys, time
port, count, wanted_closed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
head = b"GET /v1/health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Slow: "
socks, failed = [], 0
for _ in range(count):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(head)
        socks.append(s)
    except OSError:
        failed += 1
print(len(socks), failed, flush=True)
sys.stdin.readline()
deadline, closed = time.monotonic() + 10, set()
while len(closed) < wanted_closed and time.monotonic() < deadline:
    for i, s in enumerate(socks):
        if i in closed:
            continue
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed.add(i)
        except BlockingIOError:
            pass
        except OSError:
            closed.add(i)
    time.sleep(0.1)
print(len(closed), flush=True)
"""


@pytest.fixture
def capped(
    tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    """A daemon with a small connection cap, under an ordinary open-file limit of 1024."""
    home = tmp_path_factory.mktemp("cap-home")
    write_config(home, f"[server]\nmax_connections = {CAP}\n")
    running = start_daemon(home, wait_models=False)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.prlimit(running.process.pid, resource.RLIMIT_NOFILE, (1024, hard))
    yield running
    assert running.stop() == 0, running.log()


async def test_a_thousand_sockets_from_another_program_do_not_lock_out_the_token_holder(
    capped: RunningDaemon,
) -> None:
    url, auth = capped.base_url + "/v1/models", capped.headers
    count = 1200  # more than the 1024 files the daemon may open
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as holder:
        async with holder.get(url, headers=auth) as response:
            assert response.status == 200  # this connection has shown the token
        flood = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            FLOOD,
            str(capped.port),
            str(count),
            str(count - CAP - 16),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert flood.stdout is not None and flood.stdin is not None
        try:
            line = await asyncio.wait_for(flood.stdout.readline(), 60)
            opened, failed = map(int, line.split())
            # The token holder's kept connection, and a fresh one, are both served.
            async with holder.get(url, headers=auth) as response:
                assert response.status == 200
            async with aiohttp.ClientSession() as fresh, fresh.get(url, headers=auth) as response:
                assert response.status == 200
            # Without the cap the daemon runs out of files and stops accepting.
            assert (opened, failed) == (count, 0)
            flood.stdin.write(b"go\n")
            await flood.stdin.drain()
            closed = int(await asyncio.wait_for(flood.stdout.readline(), 30))
        finally:
            if flood.returncode is None:
                flood.kill()
            await flood.wait()
    assert closed >= count - CAP - 16, f"only {closed} of the flood's sockets were closed"
    log = capped.log()
    assert "Too many open files" not in log
    # Hundreds of evictions, but the log does not repeat itself hundreds of times.
    assert 1 <= log.count("connections open: closed one") <= 11
