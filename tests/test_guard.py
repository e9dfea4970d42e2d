"""The outbound guard refuses non-loopback connections inside a daemon process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a child: an audit hook cannot be removed again, and pytest-socket
# already fences this test process.
PROBE = textwrap.dedent(
    """
    import socket, sys
    from daemon.guard import install_outbound_guard, OutboundConnectionBlocked
    install_outbound_guard()
    results = []
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
    for family, address in [(socket.AF_INET, ("192.0.2.1", 80)),
                            (socket.AF_INET6, ("2001:db8::1", 80, 0, 0)),
                            (socket.AF_INET6, ("::ffff:192.0.2.1", 80, 0, 0)),
                            (socket.AF_INET, ("127.0.0.1", listener.getsockname()[1]))]:
        s = socket.socket(family)
        s.settimeout(2)
        try:
            s.connect(address)
            results.append("connected")
        except OutboundConnectionBlocked:
            results.append("blocked")
        except OSError as error:
            results.append("oserror")
        finally:
            s.close()
    try:
        socket.getaddrinfo("example.com", 443)
        results.append("resolved")
    except OutboundConnectionBlocked:
        results.append("blocked")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.sendto(b"x", ("192.0.2.1", 53))
        results.append("sent")
    except OutboundConnectionBlocked:
        results.append("blocked")
    import os
    results.append(os.environ.get("HF_HUB_OFFLINE"))
    print(",".join(results))
    """
)


def test_guard_blocks_non_loopback_and_allows_loopback() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(",") == [
        "blocked",
        "blocked",
        "blocked",
        "connected",
        "blocked",
        "blocked",
        "1",
    ]


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
