"""One daemon per user: a lock file, and a runtime file telling clients where it listens."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from daemon.errors import SottovoceError


class AlreadyRunningError(SottovoceError):
    """Another daemon of this user holds the lock."""


@dataclass(frozen=True)
class RuntimeInfo:
    """Where a running daemon listens."""

    pid: int
    host: str
    port: int
    version: str
    unix_socket: str = ""  # set when the daemon serves on a Unix socket instead of TCP

    @property
    def base_url(self) -> str:
        if self.unix_socket:
            return "http://localhost"  # the Host header; the socket carries the request
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def read_runtime(path: Path) -> RuntimeInfo | None:
    """The running daemon's address, or None when none is recorded."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RuntimeInfo(
            int(data["pid"]),
            str(data["host"]),
            int(data["port"]),
            str(data["version"]),
            str(data.get("unix_socket", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_runtime(path: Path, info: RuntimeInfo) -> None:
    """Record where this daemon listens (replaced atomically)."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(asdict(info)), encoding="utf-8")
    os.replace(partial, path)


class InstanceLock:
    """An exclusive lock held for the daemon's whole life (released by the OS on exit)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle: IO[str] | None = None

    def acquire(self, runtime_file: Path) -> None:
        """Take the lock or raise AlreadyRunningError naming the running daemon."""
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = self._path.open("a+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            running = read_runtime(runtime_file)
            where = f" (pid {running.pid}, {running.base_url})" if running else ""
            raise AlreadyRunningError(
                f"Sottovoce is already running for this user{where}; stop it first or use its API"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the lock up."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _lock(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
