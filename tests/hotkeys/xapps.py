"""Real X11 processes for the tests (Xvfb, xterm, the Tk editor, xclip) and bounded waits."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from daemon.bench.desktop import DesktopError, start_xvfb

T = TypeVar("T")
HERE = Path(__file__).parent
TOOLS = {
    "Xvfb": "xvfb",
    "xclip": "xclip",
    "xdotool": "xdotool",
    "xterm": "xterm",
}


def require(tools: dict[str, str], what: str) -> None:
    """Fail (never skip) when a tool is missing; `tools` maps program to apt package."""
    missing = [
        f"{tool} (apt package {pkg})" for tool, pkg in tools.items() if not shutil.which(tool)
    ]
    if missing:
        pytest.fail(f"the {what} tests need: " + ", ".join(missing), pytrace=False)


def require_tools() -> None:
    """Fail (never skip) when a tool the X11 tests need is missing."""
    require(TOOLS, "X11")


def wait_for(probe: Callable[[], T], accept: Callable[[T], bool], timeout: float = 5.0) -> T:
    """Poll `probe` until `accept` takes its value or `timeout` passes; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if accept(value) or time.monotonic() >= deadline:
            return value
        time.sleep(0.02)


def read_line(stream: object, timeout: float) -> str:
    """One line from a child's pipe, or "" after `timeout`."""
    assert hasattr(stream, "readline") and hasattr(stream, "fileno")
    ready, _, _ = select.select([stream], [], [], timeout)
    return str(stream.readline()).strip() if ready else ""


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """End a child we started, by its pid, and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class Xvfb:
    """A private X server on a display number it picks itself (-displayfd)."""

    def __init__(self, log: Path) -> None:
        try:
            self.process, self.name = start_xvfb(log)
        except DesktopError as error:
            pytest.fail(str(error), pytrace=False)
        self.children: list[subprocess.Popen[bytes]] = []
        self.env = {**os.environ, "DISPLAY": self.name, "LC_ALL": "C.UTF-8"}

    def run(self, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run an X client (xdotool, xclip -o) on this display and wait for it."""
        return subprocess.run(args, input=data, capture_output=True, env=self.env, timeout=10)

    def focus(self, window: str) -> None:
        """Give a window the keyboard focus and wait until it has it."""
        done = self.run("xdotool", "windowfocus", "--sync", window)
        assert done.returncode == 0, done.stderr

    def find_window(self, title: str) -> str:
        """Wait for a mapped window with this exact title (focus needs it mapped); return its id."""
        done = self.run(
            "xdotool", "search", "--sync", "--onlyvisible", "--limit", "1", "--name", f"^{title}$"
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.decode().split()[0]

    def clipboard(self, target: str = "UTF8_STRING", selection: str = "clipboard") -> bytes | None:
        """The selection's bytes for `target` as xclip reads them; None when unavailable."""
        done = self.run("xclip", "-o", "-selection", selection, "-t", target)
        return done.stdout if done.returncode == 0 else None

    def clipboard_targets(self) -> list[str]:
        """The targets the clipboard's owner offers."""
        return (self.clipboard("TARGETS") or b"").decode().split()

    def set_clipboard(
        self, data: bytes, target: str = "UTF8_STRING", selection: str = "clipboard"
    ) -> None:
        """Let xclip (another application) own the selection with `data`."""
        # -quiet keeps xclip in the foreground, where we can stop it; it also exits
        # by itself once another owner takes the clipboard.
        server = subprocess.Popen(
            ["xclip", "-i", "-quiet", "-selection", selection, "-t", target],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        self.children = [child for child in self.children if child.poll() is None]
        self.children.append(server)
        assert server.stdin is not None
        server.stdin.write(data)
        server.stdin.close()
        served = wait_for(lambda: self.clipboard(target, selection), lambda got: got == data)
        assert served == data, "xclip did not take the clipboard"

    def clear_clipboard(self) -> None:
        """Leave the clipboard without owner (setting the owner to None is allowed to all)."""
        from Xlib.display import Display
        from Xlib.protocol import request

        display = Display(self.name)
        try:
            request.SetSelectionOwner(
                display=display.display,
                window=0,
                selection=display.intern_atom("CLIPBOARD"),
                time=0,
            )
            display.sync()
        finally:
            display.close()

    def close(self) -> None:
        """Stop the clipboard servers we started, then the X server."""
        for child in self.children:
            stop(child)
        stop(self.process)


class TkEditor:
    """The Tk editor of tkapp.py, driven through its stdin."""

    def __init__(self, x: Xvfb, workdir: Path) -> None:
        self.x = x
        self.title = f"sottovoce-tk-{uuid.uuid4().hex[:8]}"
        self.state = workdir / f"{self.title}.txt"
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "tkapp.py"), self.title, str(self.state)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=x.env,
            text=True,
        )
        line = read_line(self.process.stdout, 30)
        if line != "ready":
            self.close()
            pytest.fail(f"the Tk editor did not start (got {line!r})", pytrace=False)
        try:
            self.window = x.find_window(self.title)
        except BaseException:
            self.close()
            raise

    def command(self, op: str, **args: object) -> None:
        """Send a command and wait for its acknowledgement."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        assert read_line(self.process.stdout, 10) == "ok"

    def reset(
        self,
        text: str = "",
        *,
        select: bool = False,
        paste: str = "normal",
        copy: str = "normal",
        export: bool = True,
    ) -> None:
        """Set the text (optionally all selected) and behaviour, and take the focus.

        `export=False` keeps the selection out of PRIMARY, so only a real copy can read it.
        """
        self.command("modes", paste=paste, copy=copy, export=export)
        self.command("set", text=text, select=select)
        self.x.focus(self.window)
        self.command("focus")

    def text(self) -> str:
        """The editor's text as last saved."""
        return self.state.read_text(encoding="utf-8")

    def wait_text(self, expected: str, timeout: float = 5.0) -> str:
        """The text once it equals `expected`, or whatever it is after `timeout`."""
        return wait_for(self.text, lambda text: text == expected, timeout)

    def close(self) -> None:
        """Quit the editor."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        stop(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()


class XtermLines:
    """An xterm whose shell saves every line typed into it: what arrived, exactly."""

    def __init__(self, x: Xvfb, workdir: Path) -> None:
        self.x = x
        self.title = f"sottovoce-xterm-{uuid.uuid4().hex[:8]}"
        self.out = workdir / f"{self.title}.out"
        self.interrupted = workdir / f"{self.title}.int"
        self.seen = 0
        # A ^C would run the trap and interrupt `read`; the loop goes on reading.
        script = (
            f"trap 'printf INT > {self.interrupted}' INT; "
            f"while :; do if IFS= read -r line; then printf '%s\\n' \"$line\" >> {self.out}; fi; done"
        )
        self.process = subprocess.Popen(
            ["xterm", "-u8", "-title", self.title, "-e", "sh", "-c", script],
            env=x.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.window = x.find_window(self.title)
        except BaseException:
            stop(self.process)
            raise

    def focus(self) -> None:
        """Give the terminal the keyboard focus."""
        self.x.focus(self.window)

    def _lines(self) -> list[str]:
        if not self.out.exists():
            return []
        return self.out.read_text(encoding="utf-8").split("\n")[:-1]

    def line(self, timeout: float = 5.0) -> str | None:
        """The next line the shell read, or None if none came within `timeout`."""
        lines = wait_for(self._lines, lambda lines: len(lines) > self.seen, timeout)
        if len(lines) <= self.seen:
            return None
        self.seen += 1
        return lines[self.seen - 1]

    def close(self) -> None:
        """Close the terminal."""
        stop(self.process)
