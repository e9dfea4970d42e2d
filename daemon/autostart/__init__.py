"""Start Sottovoce at login: systemd and XDG autostart, a LaunchAgent, or the Windows Run key."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from daemon.autostart import linux, macos, windows
from daemon.autostart.base import AutostartError, Outcome, State, Status, template_path

__all__ = [
    "AutostartError",
    "Outcome",
    "State",
    "Status",
    "install",
    "status",
    "template_path",
    "uninstall",
]


def install(environ: Mapping[str, str] | None = None) -> Outcome:
    """Register this Python environment's `sottovoce` to start at the user's login."""
    env = os.environ if environ is None else environ
    system = _system()
    if system == "linux":
        return linux.install(linux.plan_from_env(env))
    if system == "darwin":
        return macos.install(macos.plan_from_env(env))
    return windows.install(windows.plan_from_env(env))


def uninstall(environ: Mapping[str, str] | None = None) -> Outcome:
    """Stop starting Sottovoce at login; the user's settings, models and history stay."""
    env = os.environ if environ is None else environ
    system = _system()
    if system == "linux":
        return linux.uninstall(linux.plan_from_env(env))
    if system == "darwin":
        return macos.uninstall(macos.plan_from_env(env))
    return windows.uninstall(windows.plan_from_env(env))


def status(environ: Mapping[str, str] | None = None) -> Status:
    """Whether Sottovoce starts at login, as this Python environment would register it."""
    env = os.environ if environ is None else environ
    system = _system()
    if system == "linux":
        return linux.status(linux.plan_from_env(env))
    if system == "darwin":
        return macos.status(macos.plan_from_env(env))
    return windows.status(windows.plan_from_env(env))


def _system() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform in ("darwin", "win32"):
        return sys.platform
    raise AutostartError(f"autostart is not supported on {sys.platform}")
