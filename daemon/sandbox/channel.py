"""Messages over the socketpair between the daemon and a worker: a JSON header, then
the raw bytes of a payload (audio, either way) when the header says there is one."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

Message = dict[str, Any]
# A worker's request handler: (message, payload, cancel, emit a streamed item) -> result,
# or a Reply when the result comes with raw bytes.
Emit = Callable[[Any], None]
Handler = Callable[[Message, "bytes | None", threading.Event, Emit], Any]
# What a worker may send the daemon in one frame (a transcript of hours with word
# timings fits many times over); a larger frame ends the worker.
MAX_FROM_WORKER = 64 << 20
# What the daemon may send a worker: audio of the longest upload as float32.
MAX_TO_WORKER = 1 << 30


@dataclass(frozen=True)
class Reply:
    """A handler's JSON result with raw bytes beside it (decoded audio), which go as the
    reply's payload: no base64, no copy into the JSON."""

    result: Any
    payload: bytes | bytearray | memoryview


class ChannelError(Exception):
    """The other side broke the protocol or went away."""


class Channel:
    """One end of the socketpair: send from any thread, receive from one."""

    def __init__(self, sock: socket.socket, max_incoming: int) -> None:
        self._connection = Connection(sock.detach())
        self._max_incoming = max_incoming
        self._sending = threading.Lock()

    def send(self, header: Message, payload: bytes | bytearray | memoryview | None = None) -> None:
        """Send a message (and its payload)."""
        header = {**header, "payload": payload is not None}
        try:
            with self._sending:
                self._connection.send_bytes(json.dumps(header).encode())
                if payload is not None:
                    self._connection.send_bytes(payload)
        except OSError as error:
            raise ChannelError(f"the other side went away ({error.strerror})") from None

    def poll(self, timeout: float) -> bool:
        """Whether a message (or the end of the stream) is waiting."""
        try:
            return self._connection.poll(timeout)
        except OSError:
            return True

    def receive(self) -> tuple[Message, bytes | None]:
        """The next message and its payload (blocking)."""
        try:
            header = json.loads(self._connection.recv_bytes(self._max_incoming))
            if not isinstance(header, dict):
                raise ChannelError("a message that is not a JSON object")
            payload = self._connection.recv_bytes(self._max_incoming) if header["payload"] else None
        except EOFError:
            raise ChannelError("the other side closed the channel") from None
        except (OSError, ValueError, KeyError, RecursionError) as error:
            raise ChannelError(f"a malformed message ({type(error).__name__})") from None
        return header, payload

    def close(self) -> None:
        self._connection.close()
