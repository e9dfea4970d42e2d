"""Linux: a systemd user unit runs the API daemon, an XDG autostart entry starts the tray."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from daemon.autostart.base import (
    AGENT_ARGS,
    SERVE_ARGS,
    AutostartError,
    FileSpec,
    Launch,
    Outcome,
    State,
    Status,
    ToolResult,
    check_printable,
    files_state,
    find_program,
    pinned_environment,
    read_template,
    remove_files,
    render,
    run_tool,
    write_files,
)
from daemon.paths import HOME_ENV, Paths

UNIT_NAME = "sottovoce.service"
DESKTOP_NAME = "sottovoce.desktop"
# What decides where the daemon keeps its files, pinned at install time: the user
# manager may not share the shell's environment, and ReadWritePaths= must match.
LOCATION_VARS = (HOME_ENV, "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
UNIT_STATES = frozenset({"active", "inactive", "failed", "activating", "deactivating"})

# systemd refuses these in ExecStart's program path, however they are escaped.
_UNSAFE_PROGRAM = frozenset("\"'\\")
# Characters that force quoting in a desktop entry's Exec key (Desktop Entry spec).
_DESKTOP_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_DESKTOP_QUOTED_ESCAPES = re.compile(r'(["`$\\])')


@dataclass(frozen=True)
class LinuxPlan:
    """The systemd unit and the desktop entry, and the environment to run systemctl in."""

    unit: FileSpec
    desktop: FileSpec
    directories: tuple[Path, ...]
    environ: Mapping[str, str]

    @property
    def files(self) -> tuple[FileSpec, FileSpec]:
        return (self.unit, self.desktop)

    @property
    def wants_link(self) -> Path:
        """The symlink `systemctl enable` makes, which is what starts the unit at login."""
        return self.unit.path.parent / "default.target.wants" / UNIT_NAME


def config_home(environ: Mapping[str, str]) -> Path:
    """$XDG_CONFIG_HOME, or ~/.config when it is unset or relative (as the XDG spec says)."""
    value = environ.get("XDG_CONFIG_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(environ.get("HOME") or Path.home()) / ".config"


def build_plan(
    daemon: Launch, agent: Launch, paths: Paths, environ: Mapping[str, str]
) -> LinuxPlan:
    """The files that start `daemon` as a user service and `agent` in the graphical session."""
    folders = (paths.config_dir, paths.data_dir, paths.state_dir, paths.log_dir)
    unit = render(
        read_template(UNIT_NAME),
        {
            "exec_start": _exec_start(daemon.argv),
            "environment": " ".join(_unit_word(f"{k}={v}") for k, v in daemon.environment.items()),
            "read_write_paths": " ".join(_unit_word(str(folder)) for folder in folders),
        },
    )
    desktop = render(
        read_template(DESKTOP_NAME),
        {"try_exec": _desktop_string(agent.program[0]), "exec": _desktop_exec(agent)},
    )
    config = config_home(environ)
    return LinuxPlan(
        unit=FileSpec(config / "systemd" / "user" / UNIT_NAME, unit),
        desktop=FileSpec(config / "autostart" / DESKTOP_NAME, desktop),
        directories=folders,
        environ=dict(environ),
    )


def plan_from_env(environ: Mapping[str, str], executable: str = sys.executable) -> LinuxPlan:
    """The plan for this user, running Sottovoce from the Python environment of `executable`."""
    program = find_program(executable, windows=False)
    pinned = pinned_environment(environ, LOCATION_VARS)
    return build_plan(
        Launch(program, SERVE_ARGS, pinned),
        Launch(program, AGENT_ARGS, pinned),
        Paths.from_env(dict(environ)),
        environ,
    )


def install(plan: LinuxPlan) -> Outcome:
    """Write both files and enable the unit; start it now when the user manager is reachable."""
    actions = write_files(plan.files, plan.directories)
    notes = ["the tray and hotkeys start at your next graphical login"]
    enabled = _systemctl(plan, "enable", UNIT_NAME)
    if enabled is None:
        notes.append(
            "systemctl not found: nothing will start the API daemon at login; "
            "add `sottovoce serve` to your session's startup programs"
        )
        return Outcome(tuple(actions), tuple(notes))
    if enabled.ok:
        actions.append(f"enabled {UNIT_NAME}")
    else:
        notes.append(f"`systemctl --user enable {UNIT_NAME}` failed: {enabled.output}")
    if not _reachable(_systemctl(plan, "daemon-reload")):
        notes.append(
            "the systemd user manager is not reachable from here: the daemon starts at your "
            f"next login, or now with `systemctl --user daemon-reload && "
            f"systemctl --user start {UNIT_NAME}`"
        )
        return Outcome(tuple(actions), tuple(notes))
    # restart, not start: a reinstall must pick up a changed command line.
    started = _systemctl(plan, "restart", UNIT_NAME)
    if started is not None and started.ok:
        actions.append(f"started {UNIT_NAME}")
    else:
        output = started.output if started is not None else ""
        notes.append(f"the daemon did not start ({output}); see `journalctl --user -u {UNIT_NAME}`")
    return Outcome(tuple(actions), tuple(notes))


def uninstall(plan: LinuxPlan) -> Outcome:
    """Stop and disable the unit, then remove both files (the user's data stays)."""
    actions: list[str] = []
    notes: list[str] = []
    was_installed = plan.unit.path.is_file()
    was_enabled = plan.wants_link.is_symlink()
    stopped = _systemctl(plan, "stop", UNIT_NAME)
    if was_installed and stopped is not None and stopped.ok:
        actions.append(f"stopped {UNIT_NAME}")
    elif was_installed and stopped is not None and not _reachable(stopped):
        notes.append(
            "the systemd user manager is not reachable from here: a running daemon stops "
            f"at logout, or now with `systemctl --user stop {UNIT_NAME}`"
        )
    disabled = _systemctl(plan, "disable", UNIT_NAME)
    if was_enabled and disabled is not None and disabled.ok:
        actions.append(f"disabled {UNIT_NAME}")
    # The link goes even when systemctl is gone or failed: it alone would start the unit.
    actions += remove_files([plan.unit.path, plan.desktop.path, plan.wants_link])
    _systemctl(plan, "daemon-reload")
    return Outcome(tuple(actions), tuple(notes))


def status(plan: LinuxPlan) -> Status:
    """Compare the files with the plan and ask systemd whether the unit is enabled and running."""
    state = files_state(plan.files)
    enabled = _systemctl(plan, "is-enabled", UNIT_NAME)
    if enabled is None:
        return Status(state, ("systemctl not found: nothing starts the API daemon at login",))
    notes = []
    if state is not State.NOT_INSTALLED:
        word = enabled.output.splitlines()[0] if enabled.output else "unknown"
        notes.append(f"unit {word}")
        active = _systemctl(plan, "is-active", UNIT_NAME)
        if active is not None and active.output in UNIT_STATES:
            notes.append(f"daemon {active.output}")
        else:
            notes.append("daemon state unknown: the systemd user manager is not reachable")
    return Status(state, tuple(notes))


def _systemctl(plan: LinuxPlan, *args: str) -> ToolResult | None:
    return run_tool(("systemctl", "--user", *args), plan.environ)


def _reachable(result: ToolResult | None) -> bool:
    return result is not None and result.ok


def _exec_start(argv: tuple[str, ...]) -> str:
    program, *args = argv
    if any(char in _UNSAFE_PROGRAM for char in program):
        raise AutostartError(
            f"systemd refuses to run a program whose path contains quotes or backslashes: "
            f"{program}; install Sottovoce in a folder without them"
        )
    # systemd expands $VAR in arguments but not in the program path.
    return " ".join([_unit_word(program), *(_unit_word(arg).replace("$", "$$") for arg in args)])


def _unit_word(word: str) -> str:
    """One double-quoted word of a unit file setting, with C escapes and %% for specifiers."""
    text = check_printable(word).replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{text}"'


def _desktop_exec(launch: Launch) -> str:
    argv = launch.argv
    if launch.environment:
        # Exec= has no environment of its own; env(1) is on every Linux.
        argv = ("env", *(f"{k}={v}" for k, v in launch.environment.items()), *argv)
    return " ".join(_desktop_word(word) for word in argv)


def _desktop_word(word: str) -> str:
    check_printable(word)
    if not word or any(char in _DESKTOP_RESERVED for char in word):
        word = '"' + _DESKTOP_QUOTED_ESCAPES.sub(r"\\\1", word) + '"'
    # Field codes first, then the string-value escape, which the spec applies before quoting.
    return _desktop_string(word.replace("%", "%%"))


def _desktop_string(text: str) -> str:
    return check_printable(text).replace("\\", "\\\\")
