"""Whether a desktop session is here: hotkeys and the tray need one; the API does not."""

from __future__ import annotations

import os
import sys


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
