"""The desktop side as the daemon sees it: whether a session is here, and the agent as a plugin.

Dependencies point one way: the desktop agent (`hotkeys`) is a client of the
daemon and imports it, never the reverse. The agent registers a `Desktop` under
the `sottovoce.desktop` entry point (pyproject.toml); the daemon's entry points
(`serve`, `agent`, `doctor`) load it by that name and hand it what to run. A
daemon installed without it serves its API only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from importlib import metadata
from typing import Any, Protocol

from daemon.client import DaemonAddress
from daemon.config import Settings

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sottovoce.desktop"
ENTRY_POINT_NAME = "agent"

#: Starts the desktop agent on the running loop, given where the daemon is.
AgentStarter = Callable[[Callable[[], DaemonAddress]], "asyncio.Task[None]"]
#: What runs on the event loop beside the desktop: until `stop` is set.
LoopMain = Callable[[asyncio.Event, AgentStarter], Coroutine[Any, Any, None]]


class DesktopProbe(Protocol):
    """What the doctor asks of the desktop agent's platform code."""

    def x11_extensions(self, display: str) -> frozenset[str] | None:
        """The X server's extensions at `display`; None when it does not answer."""

    def clipboard_available(self, display: str) -> bool:
        """Whether the agent's clipboard works on `display`."""

    def notifications(self) -> str | None:
        """The notification server that would show warnings, in words; None when there is none."""

    def tray_backend(self) -> str | None:
        """The tray backend that would show the icon; None when no tray can be shown."""

    def agent_pid(self, display: str) -> int | None:
        """The pid of the agent holding the hotkeys on `display` (0: not known), or None."""


class Desktop(Protocol):
    """The desktop agent, as registered under the `sottovoce.desktop` entry point."""

    @property
    def probe(self) -> DesktopProbe:
        """Platform facts for the doctor."""

    def run(self, settings: Settings, main: LoopMain) -> None:
        """Run `main` on an event loop with the agent's starter; block until it returns.

        With a tray, the tray owns the calling thread and the loop runs beside it.
        """


def display_server() -> str | None:
    """'x11', 'wayland', 'windows', 'macos', or None when there is no graphical session."""
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    if os.environ.get("DISPLAY"):
        return "x11"
    return None


def hotkeys_possible() -> bool:
    """pynput needs an X server on Linux (XWayland counts); Windows and macOS always have one."""
    server = display_server()
    return server in ("windows", "macos") or bool(os.environ.get("DISPLAY"))


def load_desktop() -> Desktop | None:
    """The registered desktop agent, or None when none is installed (the API still serves)."""
    found = metadata.entry_points(group=ENTRY_POINT_GROUP, name=ENTRY_POINT_NAME)
    for entry in found:
        try:
            desktop: Desktop = entry.load()
        except ImportError as error:
            # A broken desktop install must not take the API down with it.
            log.error("the desktop agent cannot be loaded (%s); serving the API only", error)
            return None
        return desktop
    log.info("no desktop agent is installed (entry point %s)", ENTRY_POINT_GROUP)
    return None
