"""The sockets a process really has bound, read from the OS (psutil), not from its config."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Literal

import psutil

from daemon.loopback import is_loopback


@dataclass(frozen=True)
class Endpoint:
    """One bound socket that others could reach."""

    kind: Literal["tcp", "udp", "unix"]
    address: str
    port: int = 0

    @property
    def local_only(self) -> bool:
        """True for a Unix socket or a loopback address: no other machine can reach it."""
        if self.kind == "unix":
            return True
        return is_loopback(self.address)

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.address}"
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.kind} {host}:{self.port}"


def listening_endpoints(pid: int) -> list[Endpoint]:
    """TCP listeners, bound UDP sockets and named Unix sockets of `pid`.

    Raises psutil.Error when the process is gone or may not be inspected.
    """
    endpoints: list[Endpoint] = []
    for conn in psutil.Process(pid).net_connections(kind="all"):
        if conn.family == socket.AF_UNIX:
            # Unnamed Unix sockets (socketpairs) cannot be reached by anyone.
            if isinstance(conn.laddr, str) and conn.laddr:
                endpoints.append(Endpoint("unix", conn.laddr))
            continue
        if not conn.laddr:
            continue
        host, port = conn.laddr.ip, conn.laddr.port
        if conn.type == socket.SOCK_STREAM and conn.status == psutil.CONN_LISTEN:
            endpoints.append(Endpoint("tcp", host, port))
        elif conn.type == socket.SOCK_DGRAM:
            endpoints.append(Endpoint("udp", host, port))
    return sorted(set(endpoints), key=str)
