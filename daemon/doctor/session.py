"""Which desktop the daemon would meet: X11, Wayland, macOS, Windows, or none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

SessionKind = Literal["x11", "wayland", "macos", "windows", "none"]


@dataclass(frozen=True)
class Session:
    """The desktop session and the X display reachable in it (XWayland on Wayland)."""

    kind: SessionKind
    x_display: str | None = None


def detect_session(environ: Mapping[str, str], platform: str) -> Session:
    """Read the session from the environment, as the desktop agent would."""
    if platform == "darwin":
        return Session("macos")
    if platform == "win32":
        return Session("windows")
    x_display = environ.get("DISPLAY") or None
    if environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland":
        return Session("wayland", x_display)
    if x_display is not None:
        return Session("x11", x_display)
    return Session("none")
