"""What the network namespaces of the tests share: a `with` that closes even a half-made
one, and the holder process whose end ends the namespace."""

from __future__ import annotations

import contextlib
import subprocess
from typing import TypeVar

_Started = TypeVar("_Started", bound="StartedOnEnter")


class StartedOnEnter:
    """Started by `with`, always closed after it, also when starting failed halfway
    (a half-made namespace or veth pair must not outlive the test)."""

    def _start(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Started) -> _Started:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def end_holder(holder: subprocess.Popen[bytes]) -> None:
    """End a namespace's holder (it waits on its stdin), killing it if it lingers."""
    if holder.poll() is None and holder.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            holder.stdin.close()
    try:
        holder.wait(10)
    except subprocess.TimeoutExpired:
        holder.kill()
        holder.wait(10)
    for stream in (holder.stdout, holder.stderr):
        if stream is not None:
            stream.close()
