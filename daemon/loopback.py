"""The one answer to "is this host on this machine?", for the config, the API and the guard."""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: object) -> bool:
    """True for 'localhost' and addresses in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104."""
    if isinstance(host, bytes):
        try:
            host = host.decode("ascii")
        except UnicodeDecodeError:
            return False
    if not isinstance(host, str):
        return False
    # Exact names only: "localhost." or "localhost.example" go to DNS.
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # A dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d; ipaddress calls
        # ::ffff:127.0.0.1 not loopback before Python 3.13.
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
