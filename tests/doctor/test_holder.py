"""Who holds a port or a socket path, read from the OS for the doctor's impostor message."""

from __future__ import annotations

import os
import pwd
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.doctor.holder import Holder, port_holder, proc_listener_uid, socket_holder


@pytest.fixture(params=[(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
def listener(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    family, host = request.param
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        sock.listen()
        yield host, sock.getsockname()[1]


def test_the_holder_of_a_port_is_this_process(listener: tuple[str, int]) -> None:
    host, port = listener
    holder = port_holder(host, port)
    assert holder.pid == os.getpid()
    assert holder.uid == os.getuid()
    assert f"(pid {os.getpid()}) of user {pwd.getpwuid(os.getuid()).pw_name!r}" in str(holder)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/net/tcp is Linux's")
def test_proc_net_tcp_names_the_owner_of_a_listener(listener: tuple[str, int]) -> None:
    host, port = listener
    # What names another user's listener, whose process psutil cannot see.
    assert proc_listener_uid({host}, port) == os.getuid()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as idle:
        idle.bind((host, 0))  # in /proc/net/tcp too, but not listening
        assert proc_listener_uid({host}, idle.getsockname()[1]) is None


def test_a_free_port_has_no_holder() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening
    assert port_holder("127.0.0.1", port) == Holder()
    assert str(Holder()) == "a program whose owner this system does not show"


def test_the_holder_of_a_socket_file_is_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "api.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        assert socket_holder(str(path)).uid == os.getuid()
    assert socket_holder(str(tmp_path / "missing.sock")) == Holder()
