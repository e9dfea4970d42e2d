"""Raw HTTP over a socket, for requests no well-behaved client would send."""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass


@dataclass
class RawResponse:
    """What came back: the status (None when the server sent nothing) and the bytes."""

    status: int | None
    head: bytes
    body: bytes


def request_bytes(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    token: str | None = None,
    content_type: str | None = None,
    headers: bytes = b"",
) -> bytes:
    """One request with Connection: close and a correct Content-Length."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n").encode() + headers + b"\r\n" + body


def exchange(port: int, data: bytes, timeout: float = 30.0) -> RawResponse:
    """Send `data`, read until the server closes (or `timeout`), and parse the status."""
    deadline = time.monotonic() + timeout
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer and close before reading everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) >= 2 and status_line[1].isdigit() else None
    return RawResponse(status, head, body)
