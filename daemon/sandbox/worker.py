"""An engine worker: confine this process first, then load one model and serve the daemon.

Run by the daemon as `python -m daemon.sandbox.worker --fd N --kind speech|llm|media`
(media: no model, only PyAV decoding uploads). Above `confine()` only the standard
library and daemon modules that load no native library may be imported; the engines
and PyAV are imported after it.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import queue
import socket
import threading
import time
from typing import Any

from daemon.errors import SottovoceError
from daemon.guard import install_outbound_guard
from daemon.logs import quiet_noisy_loggers
from daemon.sandbox.channel import (
    MAX_TO_WORKER,
    Channel,
    ChannelError,
    Handler,
    Message,
    Reply,
)
from daemon.sandbox.confine import confine
from daemon.sandbox.wire import error_to_wire

log = logging.getLogger(__name__)
# A chat stream's role chunk and first token go at once; then items gather this long.
SEND_AT_ONCE = 2
GATHER_S = 0.03


class ForwardLogs(logging.Handler):
    """Hands log records to the daemon, which writes them to its own log."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(logging.INFO)
        self._channel = channel

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(ChannelError):
            self._channel.send(
                {
                    "op": "log",
                    "level": record.levelno,
                    "name": record.name,
                    "message": record.getMessage(),
                }
            )


class Batch:
    """Streamed items, sent a few at a time once the stream is under way.

    Each message wakes a thread in the daemon, which takes a core from the engine on a
    small CPU: the first items go at once (time to first token), later ones gather for
    up to GATHER_S. Slow streams (a big model) still send every item at once.
    """

    def __init__(self, channel: Channel, request_id: int) -> None:
        self._channel = channel
        self._id = request_id
        self._items: list[Any] = []
        self._sent = 0
        self._last = 0.0

    def add(self, item: Any) -> None:
        self._items.append(item)
        if self._sent < SEND_AT_ONCE or time.monotonic() - self._last >= GATHER_S:
            self.flush()

    def flush(self) -> None:
        if self._items:
            self._channel.send({"op": "chunks", "id": self._id, "chunks": self._items})
            self._sent += len(self._items)
            self._items = []
            self._last = time.monotonic()


class Server:
    """Runs requests one at a time on the main thread; a reader thread takes cancels."""

    def __init__(self, channel: Channel, handlers: dict[str, Handler]) -> None:
        self._channel = channel
        self._handlers = handlers
        self._requests: queue.Queue[tuple[Message, bytes | None, threading.Event] | None] = (
            queue.Queue()
        )
        self._cancels: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    def _read(self) -> None:
        while True:
            try:
                message, payload = self._channel.receive()
            except ChannelError:
                break  # the daemon is gone
            request_id = int(message.get("id", 0))
            with self._lock:
                if message["op"] == "cancel":
                    if (event := self._cancels.get(request_id)) is not None:
                        event.set()
                    continue
                if message["op"] == "exit":
                    break
                event = self._cancels[request_id] = threading.Event()
            self._requests.put((message, payload, event))
        self._requests.put(None)

    def serve(self) -> None:
        """Answer requests until the daemon says exit or goes away."""
        threading.Thread(target=self._read, name="channel-reader", daemon=True).start()
        while (request := self._requests.get()) is not None:
            self._answer(*request)

    def _answer(self, message: Message, payload: bytes | None, cancel: threading.Event) -> None:
        request_id = message["id"]
        batch = Batch(self._channel, request_id)
        out: bytes | bytearray | memoryview | None = None
        try:
            handler = self._handlers[message["op"]]
            result = handler(message, payload, cancel, batch.add)
            if isinstance(result, Reply):
                result, out = result.result, result.payload
            reply: Message = {"op": "result", "id": request_id, "result": result}
        except SottovoceError as error:
            reply = {"op": "error", "id": request_id, **error_to_wire(error)}
        except MemoryError:
            reply = {
                "op": "error",
                "id": request_id,
                "error": "MemoryError",
                "message": "the request needs more memory than the engine may use",
            }
        except Exception as error:
            log.exception("%s failed", message.get("op"))
            reply = {
                "op": "error",
                "id": request_id,
                "error": type(error).__name__,
                "message": f"the engine failed ({type(error).__name__})",
            }
        finally:
            with self._lock:
                self._cancels.pop(request_id, None)
        with contextlib.suppress(ChannelError):
            batch.flush()
            self._channel.send(reply, out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="sottovoce-engine-worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--kind", choices=("speech", "llm", "media", "probe"), required=True)
    parser.add_argument("--memory-limit-mb", type=int, default=0)
    args = parser.parse_args()
    # Confined first, so that its probes measure the kernel and not the Python guard; the
    # guard then adds its checks and the telemetry switches, before any native import.
    confinement = confine(args.memory_limit_mb)
    install_outbound_guard()
    channel = Channel(socket.socket(fileno=args.fd), MAX_TO_WORKER)
    channel.send({"op": "hello", "pid": os.getpid(), "confinement": confinement.to_wire()})
    if args.kind == "probe":
        return
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(ForwardLogs(channel))
    quiet_noisy_loggers()
    from daemon.sandbox.handlers import handlers_for

    Server(channel, handlers_for(args.kind)).serve()
    # Native destructors can take long or hang; the kernel frees everything at once.
    logging.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
