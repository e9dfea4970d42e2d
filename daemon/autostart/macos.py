"""macOS: a LaunchAgent starts `sottovoce serve` (API, tray, hotkeys) in the GUI session."""

from __future__ import annotations

import os
import plistlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from daemon.autostart.base import (
    SERVE_ARGS,
    AutostartError,
    FileSpec,
    Launch,
    Outcome,
    Status,
    ToolResult,
    files_state,
    find_program,
    pinned_environment,
    read_template,
    remove_files,
    run_tool,
    write_files,
)
from daemon.paths import HOME_ENV, Paths

LABEL = "com.sottovoce.daemon"
PLIST_NAME = f"{LABEL}.plist"


@dataclass(frozen=True)
class MacPlan:
    """The LaunchAgent property list and the launchd domain it is loaded into."""

    plist: FileSpec
    directories: tuple[Path, ...]
    label: str
    domain: str

    @property
    def service(self) -> str:
        return f"{self.domain}/{self.label}"


def agent_properties(daemon: Launch, paths: Paths) -> dict[str, Any]:
    """The template's LaunchAgent keys, completed with the command, logs and environment."""
    try:
        values = plistlib.loads(read_template(PLIST_NAME).encode("utf-8"))
    except (plistlib.InvalidFileException, ExpatError, ValueError):
        raise AutostartError(f"the autostart template {PLIST_NAME} is damaged") from None
    if not isinstance(values, dict) or not isinstance(values.get("Label"), str):
        raise AutostartError(f"the autostart template {PLIST_NAME} has no Label")
    values["ProgramArguments"] = list(daemon.argv)
    # launchd's own capture, for what happens before the daemon's logging is set up.
    values["StandardOutPath"] = str(paths.log_dir / "launchd.out.log")
    values["StandardErrorPath"] = str(paths.log_dir / "launchd.err.log")
    if daemon.environment:
        values["EnvironmentVariables"] = dict(daemon.environment)
    return values


def build_plan(daemon: Launch, paths: Paths, home: Path, uid: int) -> MacPlan:
    """The LaunchAgent that starts `daemon` for user `uid` at login (pure: writes nothing)."""
    values = agent_properties(daemon, paths)
    label = str(values["Label"])
    content = plistlib.dumps(values, fmt=plistlib.FMT_XML, sort_keys=False).decode("utf-8")
    return MacPlan(
        plist=FileSpec(home / "Library" / "LaunchAgents" / f"{label}.plist", content),
        directories=(paths.log_dir,),
        label=label,
        domain=f"gui/{uid}",
    )


def plan_from_env(environ: Mapping[str, str], executable: str = sys.executable) -> MacPlan:
    """The plan for this user, running Sottovoce from the Python environment of `executable`."""
    launch = Launch(
        find_program(executable, windows=False),
        SERVE_ARGS,
        pinned_environment(environ, (HOME_ENV,)),
    )
    if sys.platform == "win32":
        raise AutostartError("LaunchAgents exist only on macOS")
    home = Path(environ.get("HOME") or Path.home())
    return build_plan(launch, Paths.from_env(dict(environ)), home, os.getuid())


def install(plan: MacPlan) -> Outcome:
    """Write the LaunchAgent and load it, which starts the daemon now (RunAtLoad)."""
    actions = write_files([plan.plist], plan.directories)
    # A loaded older version would keep its old command: unload it first.
    _launchctl("bootout", plan.service)
    loaded = _launchctl("bootstrap", plan.domain, str(plan.plist.path))
    if loaded is None:
        return Outcome(tuple(actions), ("launchctl not found: the agent loads at your next login",))
    if not loaded.ok:
        note = f"launchctl could not load the agent ({loaded.output}); it loads at your next login"
        return Outcome(tuple(actions), (note,))
    return Outcome((*actions, f"loaded {plan.label}"))


def uninstall(plan: MacPlan) -> Outcome:
    """Unload the LaunchAgent, which stops the daemon, and remove its file."""
    actions: list[str] = []
    unloaded = _launchctl("bootout", plan.service)
    if unloaded is not None and unloaded.ok:
        actions.append(f"unloaded {plan.label}")
    actions += remove_files([plan.plist.path])
    return Outcome(tuple(actions))


def status(plan: MacPlan) -> Status:
    """Compare the file with the plan and ask launchd whether the agent is loaded."""
    state = files_state([plan.plist])
    printed = _launchctl("print", plan.service)
    if printed is None:
        return Status(state, ("launchctl not found",))
    return Status(state, ("agent loaded" if printed.ok else "agent not loaded",))


def _launchctl(*args: str) -> ToolResult | None:
    return run_tool(("launchctl", *args))
