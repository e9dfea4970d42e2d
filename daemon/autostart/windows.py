"""Windows: a per-user Run key value starts `sottovoce serve` (API, tray, hotkeys) at login."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from daemon.autostart.base import (
    HOME_FLAG,
    SERVE_ARGS,
    AutostartError,
    Launch,
    Outcome,
    State,
    Status,
    check_printable,
    find_program,
    pinned_environment,
)
from daemon.paths import HOME_ENV

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "Sottovoce"
_NOT_WINDOWS = "the Windows registry exists only on Windows"


@dataclass(frozen=True)
class WindowsPlan:
    """One string value under HKEY_CURRENT_USER: the command Windows runs at login."""

    key: str
    name: str
    command: str

    @property
    def location(self) -> str:
        return f"HKCU\\{self.key}\\{self.name}"


class Registry(Protocol):
    """The string values under HKEY_CURRENT_USER that autostart reads and writes."""

    def get(self, key: str, name: str) -> str | None:
        """The value, or None when it or its key does not exist."""

    def set(self, key: str, name: str, value: str) -> None:
        """Create or replace the value, creating the key if needed."""

    def delete(self, key: str, name: str) -> bool:
        """Remove the value; False when there was none."""


class CurrentUserRegistry:
    """HKEY_CURRENT_USER through winreg, imported only when used (on Windows)."""

    def get(self, key: str, name: str) -> str | None:
        """The value, or None when it or its key does not exist."""
        if sys.platform != "win32":
            raise AutostartError(_NOT_WINDOWS)
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                value, _kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        return value if isinstance(value, str) else None

    def set(self, key: str, name: str, value: str) -> None:
        """Create or replace the value, creating the key if needed."""
        if sys.platform != "win32":
            raise AutostartError(_NOT_WINDOWS)
        import winreg

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

    def delete(self, key: str, name: str) -> bool:
        """Remove the value; False when there was none."""
        if sys.platform != "win32":
            raise AutostartError(_NOT_WINDOWS)
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            return False
        return True


def command_line(daemon: Launch) -> str:
    """The Run-key command for `daemon`, quoted the way Windows splits it back into argv."""
    unsupported = set(daemon.environment) - {HOME_ENV}
    if unsupported:
        raise AutostartError(f"a Run-key command cannot carry {', '.join(sorted(unsupported))}")
    argv = list(daemon.program)
    home = daemon.environment.get(HOME_ENV)
    if home:
        argv += [HOME_FLAG, home]
    argv += daemon.args
    return subprocess.list2cmdline([check_printable(word) for word in argv])


def build_plan(daemon: Launch) -> WindowsPlan:
    """The Run-key value that starts `daemon` at login (pure: writes nothing)."""
    return WindowsPlan(RUN_KEY, VALUE_NAME, command_line(daemon))


def plan_from_env(environ: Mapping[str, str], executable: str = sys.executable) -> WindowsPlan:
    """The plan for this user, running Sottovoce from the Python environment of `executable`."""
    return build_plan(
        Launch(
            find_program(executable, windows=True),
            SERVE_ARGS,
            pinned_environment(environ, (HOME_ENV,)),
        )
    )


def install(plan: WindowsPlan, registry: Registry | None = None) -> Outcome:
    """Set the Run-key value; Sottovoce then starts at every login."""
    registry = registry or CurrentUserRegistry()
    try:
        registry.set(plan.key, plan.name, plan.command)
    except OSError as error:
        raise AutostartError(f"cannot write {plan.location}: {error.strerror or error}") from None
    return Outcome(
        (f"set {plan.location}",),
        ("Sottovoce starts at your next login; start it now with `sottovoce serve`",),
    )


def uninstall(plan: WindowsPlan, registry: Registry | None = None) -> Outcome:
    """Delete the Run-key value (a running daemon keeps running until it quits)."""
    registry = registry or CurrentUserRegistry()
    try:
        removed = registry.delete(plan.key, plan.name)
    except OSError as error:
        raise AutostartError(f"cannot remove {plan.location}: {error.strerror or error}") from None
    return Outcome((f"removed {plan.location}",) if removed else ())


def status(plan: WindowsPlan, registry: Registry | None = None) -> Status:
    """Compare the Run-key value with the command an install would set."""
    registry = registry or CurrentUserRegistry()
    try:
        value = registry.get(plan.key, plan.name)
    except OSError as error:
        raise AutostartError(f"cannot read {plan.location}: {error.strerror or error}") from None
    if value is None:
        return Status(State.NOT_INSTALLED)
    if value != plan.command:
        return Status(State.OUTDATED, (f"registered command: {value}",))
    return Status(State.INSTALLED)
