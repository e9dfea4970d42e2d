"""The daemon's side of an engine worker: start it, talk to it, notice when it dies.

Calls come from the engine pool's one thread, one at a time. While a reply is
awaited the channel is polled, so a cancel is passed on within POLL_S and a worker
that died is noticed at once (its end of the socketpair closes).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import daemon
from daemon.errors import (
    InvalidAudioError,
    LLMEngineError,
    LLMRequestError,
    ModelError,
    SottovoceError,
    SpeechEngineError,
)
from daemon.guard import OFFLINE_ENV
from daemon.sandbox.channel import MAX_FROM_WORKER, Channel, ChannelError, Message
from daemon.sandbox.wire import error_from_wire

log = logging.getLogger(__name__)

POLL_S = 0.05
HELLO_TIMEOUT_S = 60.0
# A worker asked to cancel that is still busy after this long (one long prompt
# evaluation, one audio segment) is killed: it restarts on the next request.
CANCEL_GRACE_S = 30.0
EXIT_TIMEOUT_S = 5.0
PACKAGE_ROOT = Path(daemon.__file__).resolve().parent.parent
# Would make CTranslate2's Intel runtime load a profiler library named by the environment.
UNSET_FOR_WORKERS = ("INTEL_LIBITTNOTIFY64", "INTEL_JIT_PROFILER64")


class WorkerCrashedError(ModelError):
    """An engine worker died or broke the protocol; it is started again on the next request."""


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit code {code}"


def worker_command(fd: int, kind: str, memory_limit_mb: int) -> list[str]:
    """The command line of a worker that talks over the inherited descriptor `fd`."""
    return [
        sys.executable,
        "-m",
        "daemon.sandbox.worker",
        "--fd",
        str(fd),
        "--kind",
        kind,
        "--memory-limit-mb",
        str(memory_limit_mb),
    ]


def _worker_environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in UNSET_FOR_WORKERS}
    return {**environment, **OFFLINE_ENV}


class WorkerProcess:
    """One running engine worker (a child process) and its channel."""

    def __init__(
        self, kind: str, what: str, memory_limit_mb: int, max_incoming: int = MAX_FROM_WORKER
    ) -> None:
        """Start a worker of `kind` ("speech", "llm", "media" or "probe"); `what` names it
        in errors; a frame from it larger than `max_incoming` bytes ends it."""
        self.kind = kind
        self.what = what
        self.memory_limit_mb = memory_limit_mb
        ours, theirs = socket.socketpair()
        try:
            self._process = subprocess.Popen(
                worker_command(theirs.fileno(), kind, memory_limit_mb),
                pass_fds=(theirs.fileno(),),
                env=_worker_environment(),
                cwd=PACKAGE_ROOT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        self._channel = Channel(ours, max_incoming)
        self._ids = itertools.count(1)
        self._dead: str | None = None
        self.pid = self._process.pid
        hello, _ = self._next(0, None, deadline=time.monotonic() + HELLO_TIMEOUT_S)
        if hello["op"] != "hello":
            self._fail("it did not introduce itself", False)
        self.confinement: dict[str, Any] = dict(hello.get("confinement") or {})

    @property
    def alive(self) -> bool:
        """False once the worker died or was stopped."""
        return self._dead is None and self._process.poll() is None

    def request(
        self,
        op: str,
        args: dict[str, Any],
        payload: bytes | memoryview | None = None,
        cancel: threading.Event | None = None,
    ) -> Any:
        """Send one request and return its result (blocking); `cancel` stops it early."""
        return self.call(op, args, payload, cancel)[0]

    def call(
        self,
        op: str,
        args: dict[str, Any],
        payload: bytes | memoryview | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[Any, bytes | None]:
        """As request, with the payload the result came with (None: it had none)."""
        request_id = self._start(op, args, payload)
        while (answer := self._next(request_id, cancel))[0]["op"] == "chunks":
            pass
        message, out = answer
        return self._result(message), out

    def stream(
        self,
        op: str,
        args: dict[str, Any],
        payload: bytes | memoryview | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Any]:
        """Send one request and yield what it streams; closing the iterator cancels it."""
        request_id = self._start(op, args, payload)
        cancel = cancel or threading.Event()
        finished = False
        try:
            while (message := self._next(request_id, cancel)[0])["op"] == "chunks":
                yield from message.get("chunks") or ()
            finished = True
            self._result(message)
        finally:
            if not finished and self.alive:
                # Closed early (the client left): stop the work and wait for its end.
                cancel.set()
                with contextlib.suppress(SottovoceError):
                    while self._next(request_id, cancel)[0]["op"] == "chunks":
                        pass

    def _start(self, op: str, args: dict[str, Any], payload: bytes | memoryview | None) -> int:
        if not self.alive:
            raise WorkerCrashedError(
                f"the {self.what} engine is not running; it is started again on the next request"
            )
        request_id = next(self._ids)
        self._send({"op": op, "id": request_id, **args}, payload)
        return request_id

    def _result(self, message: Message) -> Any:
        if message["op"] == "error":
            raise self._error(message)
        return message.get("result")

    def _error(self, message: Message) -> SottovoceError:
        audio = self.kind in ("speech", "media")
        default = SpeechEngineError if audio else LLMEngineError
        if message.get("error") == "MemoryError":
            # The request is too big for the worker: the caller's to change.
            too_big = InvalidAudioError if audio else LLMRequestError
            return too_big(
                f"the request needs more memory than the {self.what} may use "
                f"({self.memory_limit_mb} MiB; see sandbox.memory_limit_mb)"
            )
        return error_from_wire(message, default)

    def _send(self, header: Message, payload: bytes | memoryview | None = None) -> None:
        try:
            self._channel.send(header, payload)
        except ChannelError:
            self._fail("its channel closed")

    def _next(
        self, request_id: int, cancel: threading.Event | None, deadline: float | None = None
    ) -> tuple[Message, bytes | None]:
        """The next message for `request_id` and its payload, passing on a cancel; logs
        are written here."""
        kill_at: float | None = None
        while True:
            if cancel is not None and cancel.is_set() and kill_at is None:
                self._send({"op": "cancel", "id": request_id})
                kill_at = time.monotonic() + CANCEL_GRACE_S
            if self._channel.poll(POLL_S):
                try:
                    message, payload = self._channel.receive()
                except ChannelError as error:
                    self._fail(str(error))
                if not isinstance(message.get("op"), str):
                    self._fail("it broke the protocol", False)
                if message["op"] == "log":
                    self._log(message)
                    continue
                if message.get("id", 0) == request_id:
                    return message, payload
            now = time.monotonic()
            if kill_at is not None and now > kill_at:
                self._fail(f"it did not stop within {CANCEL_GRACE_S:.0f} s of a cancel", False)
            if deadline is not None and now > deadline:
                self._fail("it did not start in time", False)

    def _log(self, message: Message) -> None:
        name = str(message.get("name", "worker"))
        level = int(message.get("level", logging.INFO))
        logging.getLogger(f"{self.kind}-worker:{name}").log(level, "%s", message.get("message"))

    def _fail(self, why: str, ended: bool = True) -> NoReturn:
        """Kill the worker and raise the error that the requests it held get; `ended`: its
        channel closed, so it is probably dying by itself (let it, to learn how)."""
        if ended:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(EXIT_TIMEOUT_S)
        code = self._process.poll()
        self._kill()
        how = why if code is None else _how_it_ended(code)
        self._dead = how
        log.error("the %s engine worker (pid %d) ended: %s", self.what, self.pid, how)
        raise WorkerCrashedError(
            f"the {self.what} engine stopped unexpectedly ({how}); "
            "it is started again on the next request"
        )

    def _kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._process.wait(EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log.error("the %s engine worker (pid %d) does not exit", self.what, self.pid)
        self._channel.close()

    def close(self) -> None:
        """Ask the worker to exit, kill it if it does not; frees all its memory."""
        if self._process.poll() is None and self._dead is None:
            try:
                self._channel.send({"op": "exit"})
                self._process.wait(EXIT_TIMEOUT_S)
            except (ChannelError, subprocess.TimeoutExpired):
                pass
        self._dead = self._dead or "stopped"
        self._kill()
