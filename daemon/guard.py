"""Outbound guard: inside the daemon no socket may reach a non-loopback address.

An audit hook sees every `socket.connect`, `socket.sendto` and name lookup made
from Python and refuses those aimed beyond loopback. Hub libraries are also put
offline before anything imports them, so a missing model file is an error
rather than a download.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}

_installed = False


class OutboundConnectionBlocked(PermissionError):
    """Raised when code in the daemon tries to reach a non-loopback address."""


def _is_loopback_host(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in ("localhost", "localhost.", ""):
        # "" binds/looks up the local wildcard, never a remote peer.
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _check_address(family: int, address: Any) -> None:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return  # AF_UNIX and friends stay on this machine
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_loopback_host(host):
        raise OutboundConnectionBlocked(
            f"outbound connection to {host!r} refused: Sottovoce never leaves this machine"
        )


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" or event == "socket.sendto":
        sock, address = args[0], args[1]
        _check_address(getattr(sock, "family", -1), address)
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host is not None and not _is_loopback_host(host):
            raise OutboundConnectionBlocked(
                f"name lookup of {host!r} refused: Sottovoce never leaves this machine"
            )
    elif event == "socket.gethostbyname" and not _is_loopback_host(args[0]):
        raise OutboundConnectionBlocked(f"name lookup of {args[0]!r} refused")


def install_outbound_guard() -> None:
    """Force hub libraries offline and refuse non-loopback sockets in this process."""
    global _installed
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True


def outbound_guard_active() -> bool:
    """Whether `install_outbound_guard` ran in this process."""
    return _installed
