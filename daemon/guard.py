"""Outbound guard: code in the daemon process reaches nothing beyond loopback.

CPython resolves a host name given to `connect`, `sendto`, `sendmsg` or `bind` in C
*before* it raises the audit event, so an audit hook alone sees `("evil.example", 443)`
only after the DNS query, which can carry data in the name, has left. Two layers
therefore work together, process-wide:

- the address-taking methods of `socket.socket` (so every socket made from Python:
  ssl, asyncio and aiohttp included) and the lookup functions of `socket` check their
  argument before the C code runs;
- an audit hook refuses what could slip past them: raw `_socket.socket` objects,
  socket families that leave the machine (packet, Bluetooth, VSOCK, ...), raw IP
  sockets, and connects, sends and lookups aimed beyond loopback from any code path.

Native code (ONNX Runtime, FFmpeg, CTranslate2, llama.cpp) is invisible to both:
`OFFLINE_ENV` and `FFMPEG_INPUT_OPTIONS` switch off what it would do on its own, and
the engine workers' kernel sandbox is what makes it impossible.

Clinic mode opens one door (`open_door`): the daemon process, and only it (engine
workers are separate processes with their own guard and sandbox), may connect to the
addresses that the configured upstream's name resolved to once, at its port.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import socket
import sys
from typing import Any, NoReturn

from daemon.loopback import LOOPBACK_NAMES, is_loopback

# Set before any of these libraries is imported (the daemon at start, each engine
# worker before it imports its engine): most read them once, at import or first use.
# A plain dict with no import-time side effects: workers import it on its own.
OFFLINE_ENV: dict[str, str] = {
    # huggingface_hub (faster-whisper, llama-cpp-python's from_pretrained): a missing
    # file is an error, never a download; no usage pings.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # hf_xet is a native (Rust) transfer client that reports transfer telemetry:
    # never loaded, and silent if something loads it anyway.
    "HF_HUB_DISABLE_XET": "1",
    "HF_XET_TELEMETRY_ENABLED": "0",
    # ONNX Runtime (faster-whisper's Silero VAD) ships a 1DS client that writes a
    # device id under ~/.cache and posts to mobile.events.data.microsoft.com from C++
    # threads (measured with 1.32). 1.32 reads the first name, newer sources the second;
    # onnxruntime.disable_telemetry_events() after import does not stop it.
    "ORT_DISABLE_TELEMETRY": "1",
    "ORT_TELEMETRY_DISABLED": "1",
    # The cross-tool opt-out (https://consoledonottrack.com), read by huggingface_hub too.
    "DO_NOT_TRACK": "1",
}

# Options for av.open() of an in-memory upload. FFmpeg opens URLs that a file names
# (an SDP file starts RTP/UDP sockets and multicast joins, playlists fetch segments),
# and a custom-IO input has no protocol whitelist of its own: an empty one refuses
# every such nested open. A BytesIO input itself needs no protocol.
FFMPEG_INPUT_OPTIONS: dict[str, str] = {"protocol_whitelist": ""}

_IP_FAMILIES = frozenset({socket.AF_INET, socket.AF_INET6})
# These end in this machine's kernel.
_LOCAL_FAMILIES = frozenset(
    getattr(socket, name) for name in ("AF_UNIX", "AF_NETLINK") if hasattr(socket, name)
)
_TYPE_FLAGS = getattr(socket, "SOCK_NONBLOCK", 0) | getattr(socket, "SOCK_CLOEXEC", 0)
# A local stub resolver (systemd-resolved on 127.0.0.53) forwards what it is sent.
_DNS_PORT = 53
# RFC 6761: "localhost" is the loopback address. glibc asks DNS, search domains
# appended, when /etc/hosts has no localhost entry for the family asked (measured:
# AF_INET6 with no ::1 line), so a family-specific "localhost" never reaches it.
_LOCALHOST: dict[int, str] = {socket.AF_INET: "127.0.0.1", socket.AF_INET6: "::1"}

_installed = False
# Clinic mode's door: (address, port) pairs this process may connect to, and the one
# name whose lookup is let through while `open_door` resolves it.
_door: frozenset[tuple[str, int]] = frozenset()
_resolving: str | None = None

log = logging.getLogger(__name__)


class OutboundConnectionBlocked(PermissionError):
    """Raised when code in the daemon tries to reach beyond this machine."""


def _refuse(what: str, target: object) -> NoReturn:
    log.warning("outbound guard: %s %r refused", what, target)
    raise OutboundConnectionBlocked(
        f"{what} {target!r} refused: Sottovoce never leaves this machine"
    )


def _host_port(address: object) -> tuple[object, object]:
    if isinstance(address, tuple) and address:
        return address[0], address[1] if len(address) > 1 else None
    return address, None


def _text(host: object) -> object:
    return host.decode("ascii", "replace") if isinstance(host, bytes) else host


def _is_localhost_name(host: object) -> bool:
    host = _text(host)
    return isinstance(host, str) and host.lower() in LOOPBACK_NAMES


def _needs_no_lookup(host: object) -> bool:
    """The wildcard, the broadcast address or a numeric address: the resolver is not asked."""
    host = _text(host)
    if not isinstance(host, str):
        return False
    if host in ("", "<broadcast>"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_peer(family: int, address: object) -> None:
    """Refuse a connect or send to anything but a loopback address (and its resolver)."""
    if family in _LOCAL_FAMILIES:
        return
    if family not in _IP_FAMILIES:
        _refuse("a connection on socket family", family)
    host, port = _host_port(address)
    if _through_door(host, port):
        return
    if not is_loopback(host):
        _refuse("connection to", host)
    if port == _DNS_PORT:
        _refuse("a DNS query through", host)


def _pinned(family: int, address: Any) -> Any:
    """The address with 'localhost' written as the family's loopback address."""
    if family in _LOCALHOST and isinstance(address, tuple) and _is_localhost_name(address[0]):
        return (_LOCALHOST[family], *address[1:])
    return address


def _peer(sock: socket.socket, address: Any) -> Any:
    _check_peer(sock.family, address)
    return _pinned(sock.family, address)


def _local(sock: socket.socket, address: Any) -> Any:
    """A bind address that needs no name lookup."""
    if sock.family in _IP_FAMILIES:
        host, _ = _host_port(address)
        if not (_needs_no_lookup(host) or is_loopback(host)):
            _refuse("looking up", host)
    return _pinned(sock.family, address)


def _guard_socket_methods() -> None:
    """Check addresses before CPython's C code resolves them."""
    cls = socket.socket
    connect, connect_ex, bind, sendto = cls.connect, cls.connect_ex, cls.bind, cls.sendto

    @functools.wraps(connect)
    def guarded_connect(self: socket.socket, address: Any) -> None:
        connect(self, _peer(self, address))

    @functools.wraps(connect_ex)
    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        return connect_ex(self, _peer(self, address))

    @functools.wraps(bind)
    def guarded_bind(self: socket.socket, address: Any) -> None:
        bind(self, _local(self, address))

    @functools.wraps(sendto)
    def guarded_sendto(self: socket.socket, data: Any, *rest: Any) -> int:
        # sendto(data, address) or sendto(data, flags, address)
        if rest:
            rest = (*rest[:-1], _peer(self, rest[-1]))
        return sendto(self, data, *rest)  # type: ignore[call-overload, no-any-return]

    guarded: dict[str, Any] = {
        "connect": guarded_connect,
        "connect_ex": guarded_connect_ex,
        "bind": guarded_bind,
        "sendto": guarded_sendto,
    }
    sendmsg = getattr(cls, "sendmsg", None)  # not on Windows
    if sendmsg is not None:

        @functools.wraps(sendmsg)
        def guarded_sendmsg(self: socket.socket, buffers: Any, *rest: Any) -> int:
            # sendmsg(buffers, ancdata=(), flags=0, address=None)
            if len(rest) >= 3 and rest[2] is not None:
                rest = (*rest[:2], _peer(self, rest[2]), *rest[3:])
            return int(sendmsg(self, buffers, *rest))

        guarded["sendmsg"] = guarded_sendmsg
    for name, method in guarded.items():
        setattr(cls, name, method)


def _guard_lookups() -> None:
    """Lookups that would ask DNS for something the audit hook lets through."""
    getaddrinfo = socket.getaddrinfo
    gethostbyname = socket.gethostbyname
    getnameinfo = socket.getnameinfo

    @functools.wraps(getaddrinfo)
    def guarded_getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        if family in _LOCALHOST and _is_localhost_name(host):
            host = _LOCALHOST[family]
        return getaddrinfo(host, port, family, type, proto, flags)

    @functools.wraps(gethostbyname)
    def guarded_gethostbyname(hostname: Any) -> str:
        if _is_localhost_name(hostname):
            return _LOCALHOST[socket.AF_INET]  # IPv4 only, as gethostbyname is
        return gethostbyname(hostname)

    @functools.wraps(getnameinfo)
    def guarded_getnameinfo(sockaddr: Any, flags: int) -> tuple[str, str]:
        # A reverse lookup of a loopback address missing from /etc/hosts asks DNS
        # too (measured: 2.0.0.127.in-addr.arpa), and 127.x.y.z carries 24 bits.
        if not flags & socket.NI_NUMERICHOST:
            _refuse("reverse lookup of", _host_port(sockaddr)[0])
        return getnameinfo(sockaddr, flags)

    @functools.wraps(socket.gethostbyaddr)
    def guarded_gethostbyaddr(ip_address: Any) -> NoReturn:
        _refuse("reverse lookup of", ip_address)

    guarded = {
        "getaddrinfo": guarded_getaddrinfo,
        "gethostbyname": guarded_gethostbyname,
        "getnameinfo": guarded_getnameinfo,
        "gethostbyaddr": guarded_gethostbyaddr,
    }
    for name, function in guarded.items():
        setattr(socket, name, function)


def _check_new(sock: object, family: int, kind: int) -> None:
    if family in _LOCAL_FAMILIES:
        return
    if family not in _IP_FAMILIES and family != -1:  # -1: from a file descriptor
        _refuse("a socket of family", family)
    if not isinstance(sock, socket.socket):
        _refuse("a bare _socket.socket, which skips the address checks, of family", family)
    if family != -1 and kind & ~_TYPE_FLAGS == socket.SOCK_RAW:
        _refuse("a raw socket of family", family)


def _through_door(host: object, port: object) -> bool:
    host = _text(host)
    if not _door or not isinstance(host, str) or not isinstance(port, int):
        return False
    try:
        address = str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return False  # a name: connecting would look it up again
    return (address, port) in _door


def _lookup_allowed(host: object) -> bool:
    # None and "" look up the local wildcard; glibc asks no one for them.
    if host is None or _text(host) == "" or is_loopback(host):
        return True
    return _resolving is not None and _text(host) == _resolving


def open_door(host: str, port: int) -> list[tuple[int, str]]:
    """Resolve `host` once, through the system resolver, and let this process connect to
    the addresses found, at `port` only; returns them as (family, address).

    Every other connection stays refused. Called at start for the configured upstream
    (a second call adds that server's addresses: one door per configured server).
    """
    global _door, _resolving
    _resolving = host
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    finally:
        _resolving = None
    addresses = sorted({(int(family), str(sockaddr[0])) for family, _, _, _, sockaddr in found})
    _door = _door | {(str(ipaddress.ip_address(a.split("%", 1)[0])), port) for _, a in addresses}
    log.warning(
        "outbound guard: clinic mode door open to %s port %d (%s) for this process only",
        host,
        port,
        ", ".join(a for _, a in addresses),
    )
    return addresses


def door() -> list[tuple[str, int]]:
    """The (address, port) pairs the door lets through, for health and doctor."""
    return sorted(_door)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket."):
        return  # the hook sees every audited event of the process
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if event == "socket.sendmsg" and address is None:
            return  # a connected socket: its connect was checked
        _check_peer(sock.family, address)
    elif event == "socket.__new__":
        _check_new(args[0], args[1], args[2])
    elif event in ("socket.getaddrinfo", "socket.gethostbyname"):
        if not _lookup_allowed(args[0]):
            _refuse("name lookup of", args[0])
    elif event in ("socket.gethostbyaddr", "socket.getnameinfo"):
        host, _ = _host_port(args[0])
        if not is_loopback(host):
            _refuse("reverse lookup of", host)


def install_outbound_guard() -> None:
    """Take hub libraries and telemetry offline and refuse non-loopback sockets here."""
    global _installed
    os.environ.update(OFFLINE_ENV)
    if not _installed:
        _guard_socket_methods()
        _guard_lookups()
        sys.addaudithook(_audit)
        _installed = True


def outbound_guard_active() -> bool:
    """Whether `install_outbound_guard` ran in this process."""
    return _installed
