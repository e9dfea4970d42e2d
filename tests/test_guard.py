"""The outbound guard: code in a daemon process reaches nothing beyond loopback, not even DNS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from daemon.config import ServerSettings
from daemon.doctor.sockets import Endpoint
from daemon.loopback import is_loopback
from tests.support.guard_netns import ROOT, NetNamespace, net_namespace
from tests.support.leak_probes import PROBES

# Everything runs in children: an audit hook cannot be removed again, and
# pytest-socket already fences this test process.

# probe -> (a name it makes the resolver ask for when nothing guards it, its outcome
# under the guard). "ok" probes name localhost, which the guard answers itself.
LEAKS = {
    "connect": ("connect.leak.test", "refused"),
    "connect_ex": ("connect-ex.leak.test", "refused"),
    "bind": ("bind.leak.test", "refused"),
    "sendto": ("sendto.leak.test", "refused"),
    "sendto_flags": ("sendto-flags.leak.test", "refused"),
    "sendmsg": ("sendmsg.leak.test", "refused"),
    "create_connection": ("create-connection.leak.test", "refused"),
    "bare_socket": ("bare.leak.test", "refused"),
    "tls": ("tls.leak.test", "refused"),
    "asyncio_sock_connect": ("sock-connect.leak.test", "refused"),
    "asyncio_sock_sendto": ("sock-sendto.leak.test", "refused"),
    "asyncio_open_connection": ("open-connection.leak.test", "refused"),
    "asyncio_datagram": ("datagram.leak.test", "refused"),
    "aiohttp": ("aiohttp.leak.test", "refused"),
    "localhost_trailing_dot": ("localhost", "refused"),
    "localhost_ipv6_lookup": ("localhost", "ok"),
    "localhost_ipv6_connect": ("localhost", "ok"),
    "gethostbyaddr_loopback": ("2.0.0.127.in-addr.arpa", "refused"),
    "gethostbyaddr_remote": ("7.2.0.192.in-addr.arpa", "refused"),
    "getnameinfo_loopback": ("3.0.0.127.in-addr.arpa", "refused"),
    "getnameinfo_remote": ("8.2.0.192.in-addr.arpa", "refused"),
}
ORT_STORAGE = Path(".cache", "Microsoft", "DeveloperTools", ".onnxruntime")


LOOPBACK = ["localhost", "LocalHost", "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", b"::1"]
NOT_LOOPBACK = [
    "localhost.",  # asks DNS
    "localhost.localdomain",
    "ｌｏｃａｌｈｏｓｔ",  # IDNA folds it into localhost, after the check
    "[::1]",  # not an address: the resolver gets it as a name
    "127.1",  # glibc reads it as 127.0.0.1, ipaddress does not: refused is safe
    "0.0.0.0",
    "::",
    "::ffff:10.0.0.1",
    "",
    None,
    b"\xff",
]


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_hosts(host: object) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", NOT_LOOPBACK)
def test_hosts_that_are_not_loopback(host: object) -> None:
    assert not is_loopback(host)


def test_config_and_doctor_share_the_predicate() -> None:
    """A mapped loopback address was refused by the config but accepted by the API boundary."""
    assert ServerSettings(host="::ffff:127.0.0.1").host == "::ffff:127.0.0.1"
    assert Endpoint("tcp", "::ffff:127.0.0.1", 8765).local_only
    with pytest.raises(ValidationError):
        ServerSettings(host="localhost.")
    assert not Endpoint("tcp", "::ffff:10.0.0.1", 8765).local_only


def test_one_loopback_predicate_in_the_project() -> None:
    """Only daemon/loopback.py asks ipaddress whether an address is loopback."""
    users = [
        path.relative_to(ROOT).as_posix()
        for folder in ("daemon", "hotkeys")
        for path in (ROOT / folder).rglob("*.py")
        if ".is_loopback" in path.read_text()
    ]
    assert users == ["daemon/loopback.py"]


@pytest.fixture(scope="module")
def namespace(tmp_path_factory: pytest.TempPathFactory) -> NetNamespace:
    """A network namespace with only loopback whose resolver asks a sink we run."""
    return net_namespace(tmp_path_factory.mktemp("netns"))


def run_probes(namespace: NetNamespace, mode: str) -> dict[str, dict[str, object]]:
    sink = [sys.executable, "-m", "tests.support.guard_sink", "tests.support.leak_probes"]
    run = namespace.run([*sink, mode, *LEAKS])
    assert run.returncode == 0, run.stderr
    results: dict[str, dict[str, object]] = json.loads(run.stdout)
    return results


def names(queries: object) -> set[str]:
    assert isinstance(queries, list)
    return {query.split()[0] for query in queries}


def test_every_probe_has_an_expectation() -> None:
    assert set(PROBES) == set(LEAKS)


def test_unguarded_probes_reach_the_resolver(namespace: NetNamespace) -> None:
    """The control: without the guard the sink sees each probe's query, so the next test can fail."""
    results = run_probes(namespace, "unguarded")
    leaked = {probe: names(result["queries"]) for probe, result in results.items()}
    assert {probe: name for probe, (name, _) in LEAKS.items() if name not in leaked[probe]} == {}


def test_guarded_code_sends_no_dns_query(namespace: NetNamespace) -> None:
    """Names are refused before CPython resolves them; localhost never reaches DNS."""
    results = run_probes(namespace, "guarded")
    assert {
        probe: result["queries"] for probe, result in results.items() if result["queries"]
    } == {}
    assert {probe: result["outcome"] for probe, result in results.items()} == {
        probe: outcome for probe, (_, outcome) in LEAKS.items()
    }


REFUSED = textwrap.dedent(
    """
    import _socket, socket
    from daemon.guard import install_outbound_guard, OutboundConnectionBlocked
    install_outbound_guard()
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
    port = listener.getsockname()[1]
    attempts = {
        "ipv4": lambda: socket.socket().connect(("192.0.2.1", 80)),
        "ipv6": lambda: socket.socket(socket.AF_INET6).connect(("2001:db8::1", 80, 0, 0)),
        "mapped": lambda: socket.socket(socket.AF_INET6).connect(("::ffff:192.0.2.1", 80)),
        "connect_ex": lambda: socket.socket().connect_ex(("192.0.2.1", 80)),
        "sendto": lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 9)),
        "sendmsg": lambda: socket.socket(type=socket.SOCK_DGRAM).sendmsg(
            [b"x"], [], 0, ("192.0.2.1", 9)),
        "broadcast": lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(
            b"x", ("<broadcast>", 9)),
        "loopback_dns": lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(
            b"x", ("127.0.0.53", 53)),
        "numeric_lookup": lambda: socket.getaddrinfo("192.0.2.1", 443),
        "name_lookup": lambda: socket.getaddrinfo("example.com", 443),
        "gethostbyname": lambda: socket.gethostbyname("example.com"),
        "bare_socket": lambda: _socket.socket(socket.AF_INET, socket.SOCK_STREAM),
        "raw_ip": lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
        "packet": lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW),
        "vsock": lambda: socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
            print(name, "allowed")
        except OutboundConnectionBlocked:
            print(name, "refused")
        except OSError as error:
            print(name, "error", error)
    """
)

ALLOWED = textwrap.dedent(
    """
    import asyncio, os, socket
    from daemon.guard import install_outbound_guard
    install_outbound_guard()
    v4 = socket.socket(); v4.bind(("127.0.0.1", 0)); v4.listen()
    v6 = socket.socket(socket.AF_INET6); v6.bind(("::1", 0)); v6.listen()
    dual = socket.socket(socket.AF_INET6); dual.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    port4, port6 = v4.getsockname()[1], v6.getsockname()[1]

    async def open_localhost():
        _, writer = await asyncio.open_connection("localhost", port4)
        writer.close()

    attempts = {
        "ipv4": lambda: socket.create_connection(("127.0.0.1", port4)).close(),
        "localhost": lambda: socket.create_connection(("localhost", port4)).close(),
        "ipv6": lambda: socket.socket(socket.AF_INET6).connect(("::1", port6)),
        "ipv6_localhost": lambda: socket.socket(socket.AF_INET6).connect(("localhost", port6)),
        "mapped": lambda: dual.connect(("::ffff:127.0.0.1", port4)),
        "other_loopback": lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(
            b"x", ("127.0.0.9", 9)),
        "asyncio": lambda: asyncio.run(open_localhost()),
        "lookup": lambda: socket.getaddrinfo("localhost", port4),
        "wildcard_bind": lambda: socket.socket().bind(("", 0)),
        "numeric_names": lambda: socket.getnameinfo(
            ("127.0.0.3", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
        "gethostbyname": lambda: socket.gethostbyname("localhost"),
        "socketpair": lambda: socket.socketpair(),
        "from_fd": lambda: socket.socket(fileno=os.dup(v4.fileno())),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
            print(name, "allowed")
        except OSError as error:
            print(name, type(error).__name__, error)
    print("HF_HUB_OFFLINE", os.environ.get("HF_HUB_OFFLINE"))
    """
)


def run_child(namespace: NetNamespace, code: str) -> dict[str, str]:
    # In the namespace too: should the guard regress, nothing reaches a network.
    result = namespace.run([sys.executable, "-c", code], timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_guard_refuses_every_way_beyond_loopback(namespace: NetNamespace) -> None:
    outcomes = run_child(namespace, REFUSED)
    assert {name: outcome for name, outcome in outcomes.items() if outcome != "refused"} == {}
    assert len(outcomes) == 15


def test_guard_lets_loopback_through(namespace: NetNamespace) -> None:
    outcomes = run_child(namespace, ALLOWED)
    assert outcomes.pop("HF_HUB_OFFLINE") == "1"
    assert {name: outcome for name, outcome in outcomes.items() if outcome != "allowed"} == {}
    assert len(outcomes) == 13


def test_cli_installs_the_guard_before_commands_run() -> None:
    probe = (
        "import sys, socket; sys.argv=['sottovoce','--version'];"
        "from daemon import cli, guard;"
        "import contextlib;"
        "exec('try:\\n    cli.main()\\nexcept SystemExit:\\n    pass');"
        "print(guard.outbound_guard_active())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().endswith("True"), result.stderr


ORT_CHILD = textwrap.dedent(
    """
    import os, sys
    from daemon.guard import OFFLINE_ENV
    if sys.argv[1] == "offline":
        os.environ.update(OFFLINE_ENV)  # what the daemon and each engine worker do first
    from faster_whisper.vad import get_vad_model
    get_vad_model()
    """
)


def test_onnx_runtime_telemetry_is_off_when_offline_env_comes_first(
    namespace: NetNamespace, tmp_path: Path
) -> None:
    """ONNX Runtime's uploader writes a device id as it starts; with OFFLINE_ENV it never starts.

    In the namespace, so the control's events have nowhere to go; the device id is
    written at once, where the upload itself waits for a batch.
    """
    for mode in ("offline", "default"):
        # Only these: a CI variable silences ONNX Runtime too and would break the control.
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / mode)}
        run = namespace.run([sys.executable, "-c", ORT_CHILD, mode], env=env)
        assert run.returncode == 0, run.stderr
    assert (tmp_path / "default" / ORT_STORAGE / "deviceid").is_file()
    assert not (tmp_path / "offline" / ORT_STORAGE).exists()


# An SDP file makes FFmpeg open RTP/UDP sockets to the address it names.
SDP = "v=0\\r\\no=- 0 0 IN IP4 127.0.0.1\\r\\ns=probe\\r\\nc=IN IP4 127.0.0.3\\r\\nt=0 0\\r\\nm=audio 5004 RTP/AVP 0\\r\\n"
FFMPEG_CHILD = textwrap.dedent(
    f"""
    import io, sys
    import av
    from daemon.errors import SpeechError
    from daemon.speech.audio import decode_audio
    data = "{SDP}".encode()
    if sys.argv[1] == "daemon":
        try:
            decode_audio(data)
        except SpeechError:
            print("refused")
    else:
        with av.open(io.BytesIO(data)) as container:
            print("opened", container.format.name)
    """
)


def inet_sockets(namespace: NetNamespace, tmp_path: Path, mode: str) -> tuple[str, list[str]]:
    """What the child printed, and the IP sockets its process (FFmpeg's threads included) made."""
    log = tmp_path / f"{mode}.strace"
    argv = ["strace", "-f", "-qq", "-e", "trace=socket", "-o", str(log)]
    run = namespace.run([*argv, sys.executable, "-c", FFMPEG_CHILD, mode])
    assert run.returncode == 0, run.stderr
    calls = [line for line in log.read_text().splitlines() if "socket(AF_INET" in line]
    return run.stdout.strip(), calls


def test_an_uploaded_sdp_file_opens_no_socket(namespace: NetNamespace, tmp_path: Path) -> None:
    """decode_audio refuses every protocol for URLs a file names; plain av.open follows them."""
    printed, calls = inet_sockets(namespace, tmp_path, "plain")
    assert printed == "opened sdp" and calls, "the control should open RTP sockets"
    printed, calls = inet_sockets(namespace, tmp_path, "daemon")
    assert printed == "refused" and calls == []
