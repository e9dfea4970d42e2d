"""The one door: with clinic mode on, the daemon's process may connect to the addresses
the upstream's name resolved to, once, at its port; every other connection and lookup is
refused and logged. The server listens on both of the namespace's addresses, so a
refusal is the guard's, not a missing listener's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.daemon import daemon_env
from tests.upstream.support import PracticeServer, PracticeSpeechServer

NAME = "gpu.practice.test"
CHILD = """
import json, logging, socket, sys
from daemon.guard import OutboundConnectionBlocked, install_outbound_guard, open_door
logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
name, other, port, guarded = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
speech_port = int(sys.argv[5]) if len(sys.argv) > 5 else 0  # a second engine kind's door
if guarded:
    install_outbound_guard()
door = [address for _, address in open_door(name, port)] if guarded else []
if guarded and speech_port:
    open_door(name, speech_port)

def attempt(host, port):
    sock = socket.socket()
    sock.settimeout(20)
    try:
        sock.connect((host, port))
        return "connected"
    except OutboundConnectionBlocked:
        return "refused"
    except OSError as error:
        return type(error).__name__
    finally:
        sock.close()

def lookup(host):
    try:
        socket.getaddrinfo(host, port)
        return "resolved"
    except OutboundConnectionBlocked:
        return "refused"
    except OSError as error:
        return type(error).__name__

upstream = socket.gethostbyname(name) if not guarded else door[0]
print(json.dumps({
    "door": door,
    "upstream": attempt(upstream, port),
    "other_address": attempt(other, port),
    "other_port": attempt(upstream, port + 1),
    "name_again": lookup(name),
    "other_name": lookup("example.org"),
    "speech": attempt(upstream, speech_port) if speech_port else None,
    "speech_other_address": attempt(other, speech_port) if speech_port else None,
}))
"""


def run_child(
    server: PracticeServer, tmp_path: Path, guarded: bool, speech_port: int = 0
) -> tuple[dict[str, object], str]:
    """The child in a private mount namespace whose /etc/hosts names the practice's server."""
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n{server.network.upstream} {NAME}\n", encoding="utf-8")
    args = [NAME, server.network.other, str(server.port), "1" if guarded else "0"]
    args += [str(speech_port)] if speech_port else []
    mount = 'mount --bind "$0" /etc/hosts && exec "$@"'
    command = ["unshare", "--mount", "sh", "-c", mount, str(hosts), sys.executable, "-c", CHILD]
    done = subprocess.run(
        [*command, *args],
        env=daemon_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_without_the_guard_every_address_answers(server: PracticeServer, tmp_path: Path) -> None:
    result, _ = run_child(server, tmp_path, guarded=False)
    assert result["upstream"] == "connected"
    assert result["other_address"] == "connected"
    assert result["name_again"] == "resolved"


def test_the_door_lets_through_only_the_upstream(server: PracticeServer, tmp_path: Path) -> None:
    result, log = run_child(server, tmp_path, guarded=True)
    assert result["door"] == [server.network.upstream]
    assert result["upstream"] == "connected"
    assert result["other_address"] == "refused"
    assert result["other_port"] == "refused"
    assert result["name_again"] == "refused"  # resolved once, at start
    assert result["other_name"] == "refused"
    assert f"connection to {server.network.other!r} refused" in log
    assert f"door open to {NAME} port {server.port}" in log


def test_each_engine_kind_has_its_own_door_and_no_other(
    server: PracticeServer, speech_server: PracticeSpeechServer, tmp_path: Path
) -> None:
    result, log = run_child(server, tmp_path, guarded=True, speech_port=speech_server.port)
    assert result["upstream"] == result["speech"] == "connected"
    # Both servers listen on the other address too: the guard, not a missing listener, refuses.
    assert result["other_address"] == result["speech_other_address"] == "refused"
    assert result["other_port"] == "refused"
    assert result["name_again"] == "refused"
    assert f"door open to {NAME} port {speech_server.port}" in log
