"""The outbound guard: code in a daemon process reaches nothing beyond loopback, not even DNS."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.support.leak_probes import PROBES
from tests.support.netns import NetNamespace, net_namespace

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


@pytest.fixture(scope="module")
def namespace(tmp_path_factory: pytest.TempPathFactory) -> NetNamespace:
    """A network namespace with only loopback whose resolver asks a sink we run."""
    return net_namespace(tmp_path_factory.mktemp("netns"))


def run_probes(namespace: NetNamespace, mode: str) -> dict[str, dict[str, object]]:
    sink = [sys.executable, "-m", "tests.support.dns_sink", "tests.support.leak_probes"]
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
