"""Ways Python code could make the resolver send a query; runs one, by name.

    python -m tests.support.leak_probes PROBE guarded|unguarded

Prints "refused" (the outbound guard said no), "ok", or "error" (another OSError).
Every name ends in .leak.test and every reverse lookup asks for an address of its
own, so a query in the DNS sink tells which probe sent it.
"""

from __future__ import annotations

import _socket
import asyncio
import socket
import ssl
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from daemon.guard import OutboundConnectionBlocked, install_outbound_guard


def tcp(family: int = socket.AF_INET) -> socket.socket:
    return socket.socket(family, socket.SOCK_STREAM)


def udp() -> socket.socket:
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


async def sock_connect() -> None:
    with tcp() as sock:
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("sock-connect.leak.test", 80))


async def sock_sendto() -> None:
    with udp() as sock:
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_sendto(sock, b"x", ("sock-sendto.leak.test", 9))


async def open_connection() -> None:
    await asyncio.open_connection("open-connection.leak.test", 80)


async def datagram_endpoint() -> None:
    await asyncio.get_running_loop().create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=("datagram.leak.test", 9)
    )


async def aiohttp_get() -> None:
    import aiohttp  # here: importing it takes longer than all the other probes

    async with aiohttp.ClientSession() as session:
        await session.get("http://aiohttp.leak.test/")


def tls_connect() -> None:
    context = ssl.create_default_context()
    with context.wrap_socket(tcp(), server_hostname="tls.leak.test") as sock:
        sock.connect(("tls.leak.test", 443))


def localhost_over_ipv6() -> None:
    # Nothing listens there: refused (an OSError) once the address is known is fine.
    tcp(socket.AF_INET6).connect_ex(("localhost", 9))


def bare_socket() -> None:
    _socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("bare.leak.test", 80))


def run(coroutine: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    return lambda: asyncio.run(coroutine())


PROBES: dict[str, Callable[[], object]] = {
    "connect": lambda: tcp().connect(("connect.leak.test", 80)),
    "connect_ex": lambda: tcp().connect_ex(("connect-ex.leak.test", 80)),
    "bind": lambda: tcp().bind(("bind.leak.test", 0)),
    "sendto": lambda: udp().sendto(b"x", ("sendto.leak.test", 9)),
    "sendto_flags": lambda: udp().sendto(b"x", 0, ("sendto-flags.leak.test", 9)),
    "sendmsg": lambda: udp().sendmsg([b"x"], [], 0, ("sendmsg.leak.test", 9)),
    "create_connection": lambda: socket.create_connection(("create-connection.leak.test", 80)),
    "bare_socket": bare_socket,
    "tls": tls_connect,
    "asyncio_sock_connect": run(sock_connect),
    "asyncio_sock_sendto": run(sock_sendto),
    "asyncio_open_connection": run(open_connection),
    "asyncio_datagram": run(datagram_endpoint),
    "aiohttp": run(aiohttp_get),
    "localhost_trailing_dot": lambda: socket.getaddrinfo("localhost.", 80),
    "localhost_ipv6_lookup": lambda: socket.getaddrinfo("localhost", 80, socket.AF_INET6),
    "localhost_ipv6_connect": localhost_over_ipv6,
    "gethostbyaddr_loopback": lambda: socket.gethostbyaddr("127.0.0.2"),
    "gethostbyaddr_remote": lambda: socket.gethostbyaddr("192.0.2.7"),
    "getnameinfo_loopback": lambda: socket.getnameinfo(("127.0.0.3", 80), 0),
    "getnameinfo_remote": lambda: socket.getnameinfo(("192.0.2.8", 80), 0),
}


def refused(error: BaseException | None) -> bool:
    """Whether the guard's refusal is this error or what caused it (aiohttp wraps it)."""
    while error is not None:
        if isinstance(error, OutboundConnectionBlocked):
            return True
        error = error.__cause__ or error.__context__
    return False


def main() -> None:
    """Run the probe named on the command line, with or without the guard."""
    probe, mode = sys.argv[1:]
    if mode == "guarded":
        install_outbound_guard()
    try:
        PROBES[probe]()
    except Exception as error:
        if refused(error):
            print("refused")
        elif isinstance(error, OSError) or isinstance(error.__cause__, OSError):
            print("error")
        else:
            raise
    else:
        print("ok")


if __name__ == "__main__":
    main()
