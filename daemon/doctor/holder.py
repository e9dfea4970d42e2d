"""Who holds a loopback port or a Unix socket path: its owner's uid, and its process when visible.

psutil names the process where the OS lets this user see it (its own
processes, or all of them as root). The owner of another user's socket is
still readable on Linux, in /proc/net/tcp and /proc/net/tcp6.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil

LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's "st" column
WILDCARDS = frozenset({"0.0.0.0", "::"})
PROC_NET = Path("/proc/net")


@dataclass(frozen=True)
class Holder:
    """The owner of a listening socket, as far as this system shows it."""

    uid: int | None = None
    pid: int | None = None
    process: str | None = None

    def __str__(self) -> str:
        program = f"{self.process} (pid {self.pid})" if self.process and self.pid else "a program"
        if self.uid is None:
            return f"{program} whose owner this system does not show"
        return f"{program} of user {_user_name(self.uid)!r} (uid {self.uid})"


def port_holder(host: str, port: int) -> Holder:
    """Who listens on `port` where a connection to `host` (a loopback name or address) lands."""
    addresses = {"127.0.0.1", "::1"} if host == "localhost" else {host.strip("[]")}
    wanted = addresses | WILDCARDS
    holder = _from_psutil(wanted, port)
    if holder.uid is None and sys.platform.startswith("linux"):
        uid = proc_listener_uid(wanted, port)
        if uid is not None:
            holder = Holder(uid, holder.pid, holder.process)
    return holder


def socket_holder(path: str) -> Holder:
    """The owner of a Unix socket file."""
    try:
        return Holder(uid=os.stat(path).st_uid)
    except OSError:
        return Holder()


def _from_psutil(wanted: set[str], port: int) -> Holder:
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.Error, OSError):
        return Holder()  # macOS lets only root list every socket
    for conn in connections:
        if conn.status != psutil.CONN_LISTEN or not conn.laddr or conn.laddr.port != port:
            continue
        if conn.laddr.ip not in wanted or conn.pid is None:
            continue
        try:
            process = psutil.Process(conn.pid)
            return Holder(process.uids().real, conn.pid, process.name())
        except psutil.Error:
            return Holder(pid=conn.pid)
    return Holder()


def proc_listener_uid(wanted: set[str], port: int) -> int | None:
    """Linux: the uid owning a TCP listener on `port` at one of the `wanted` addresses."""
    for name, decode in (("tcp", _ipv4), ("tcp6", _ipv6)):
        try:
            lines = (PROC_NET / name).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            # sl local_address rem_address st tx:rx tr:when retrnsmt uid ...
            fields = line.split()
            if len(fields) < 8 or fields[3] != LISTEN:
                continue
            address, _, hex_port = fields[1].partition(":")
            if int(hex_port, 16) == port and decode(address) in wanted:
                return int(fields[7])
    return None


def _word(hex_word: str) -> bytes:
    # The kernel prints each 32-bit word of the address as a number in host byte order.
    raw = bytes.fromhex(hex_word)
    return raw[::-1] if sys.byteorder == "little" else raw


def _ipv4(hex_address: str) -> str:
    return str(ipaddress.IPv4Address(_word(hex_address)))


def _ipv6(hex_address: str) -> str:
    words = (_word(hex_address[i : i + 8]) for i in range(0, 32, 8))
    return str(ipaddress.IPv6Address(b"".join(words)))


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)
