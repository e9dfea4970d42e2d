"""The listening check reads the real sockets of a process, whatever its config says."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from daemon.doctor.daemon_checks import inspect_listening


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on loopback in this process."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_loopback_listener_passes(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    check = inspect_listening(os.getpid(), port)
    assert check.status == "ok"
    assert f"tcp 127.0.0.1:{port}" in check.detail


def test_wildcard_listener_fails(listener: socket.socket) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as exposed:
        # Bound and listening only for the moment of the check.
        exposed.bind(("0.0.0.0", 0))
        exposed.listen()
        port = exposed.getsockname()[1]
        check = inspect_listening(os.getpid(), listener.getsockname()[1])
    assert check.status == "fail"
    assert f"tcp 0.0.0.0:{port}" in check.detail
    assert check.fix


def test_api_port_not_held_by_the_process_warns(listener: socket.socket) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        free_port = other.getsockname()[1]
    check = inspect_listening(os.getpid(), free_port)
    assert check.status == "warn"
    assert str(free_port) in check.detail


def test_gone_process_fails() -> None:
    check = inspect_listening(2**22 + 12345, None)
    assert check.status == "fail"
    assert "gone" in check.detail
