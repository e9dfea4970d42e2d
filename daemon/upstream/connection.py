"""One pinned connection to the upstream: TCP to a door address, TLS, the pin checked
after the handshake and before the first byte of a request is written.

The standard library's http.client speaks HTTP over the socket made here; the ssl
module does TLS. Certificate authorities are not consulted: the pin is the trust (a
practice's server rarely has a publicly trusted certificate), so a certificate that
does not carry it is refused whoever signed it.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
from typing import Any

from daemon.upstream.errors import PinMismatchError, UpstreamUnreachableError
from daemon.upstream.pin import Pin, digest_of, format_pin


class CountedSocket:
    """The socket http.client writes to and reads from, counting the bytes each way."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.sent = 0
        self.received = 0

    def sendall(self, data: Any) -> None:
        self._sock.sendall(data)
        self.sent += len(data)

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_CountingReader(self))

    def recv_into(self, buffer: Any) -> int:
        count = self._sock.recv_into(buffer)
        self.received += count
        return count

    def settimeout(self, timeout: float | None) -> None:
        self._sock.settimeout(timeout)

    def close(self) -> None:
        """http.client closes the connection while the response is still being read
        (HTTP/1.0, or Connection: close); the request's owner calls `release` at its end."""

    def release(self) -> None:
        self._sock.close()


class _CountingReader(io.RawIOBase):
    def __init__(self, sock: CountedSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


def tls_context() -> ssl.SSLContext:
    """TLS 1.2 or newer, no CA check (the pin decides), no hostname check (likewise)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def presented_pin(tls: ssl.SSLSocket, pin: Pin) -> str:
    """The pin, in the configured pin's form, of the certificate the server presented."""
    der = tls.getpeercert(binary_form=True)
    return format_pin(pin.kind, digest_of(der, pin.kind)) if der else "no certificate"


def open_pinned(
    host: str,
    port: int,
    addresses: list[tuple[int, str]],
    pin: Pin | None,
    timeout: float,
) -> tuple[http.client.HTTPConnection, CountedSocket]:
    """An HTTP connection to the first door address that answers, its pin checked.

    `pin` None means plain HTTP (allowed by the config for loopback only).
    """
    where = f"{host}:{port}"
    last: OSError | None = None
    for family, address in addresses:
        raw = socket.socket(family, socket.SOCK_STREAM)
        try:
            raw.settimeout(timeout)
            raw.connect((address, port))
            sock: socket.socket = raw
            if pin is not None:
                sock = _handshake(raw, host, pin, where)
        except PinMismatchError:
            raise
        except (OSError, ssl.SSLError) as error:
            raw.close()
            last = error
            continue
        counted = CountedSocket(sock)
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = counted  # type: ignore[assignment]  # connect() is never called
        return connection, counted
    reason = type(last).__name__ if last else "no address"
    detail = getattr(last, "strerror", None) or reason
    raise UpstreamUnreachableError(f"the upstream server {where} cannot be reached ({detail})")


def _handshake(raw: socket.socket, host: str, pin: Pin, where: str) -> ssl.SSLSocket:
    tls = tls_context().wrap_socket(raw, server_hostname=None if _is_address(host) else host)
    der = tls.getpeercert(binary_form=True)
    if der is None or not pin.matches(der):
        found = presented_pin(tls, pin)
        tls.close()
        raise PinMismatchError(
            f"the upstream server {where} presented a certificate that does not match the "
            f"configured pin (expected {pin}, got {found}); nothing was sent. If the server's "
            "key changed on purpose, put the new pin in config (upstream.llm.pin or upstream.speech.pin)"
        )
    return tls


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
