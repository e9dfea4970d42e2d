"""macOS autostart: a LaunchAgent plist that plistlib reads back with the right keys."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

import pytest

from daemon.autostart import macos
from daemon.autostart.base import SERVE_ARGS, Launch, State
from daemon.paths import Paths

PROGRAM = "/Users/ann/My Apps/sotto & voce <1>/bin/sottovoce"


@pytest.fixture
def paths(login_env: dict[str, str]) -> Paths:
    return Paths.from_env(login_env)


@pytest.fixture
def home(login_env: dict[str, str]) -> Path:
    return Path(login_env["HOME"])


def parsed(plan: macos.MacPlan) -> dict[str, Any]:
    values = plistlib.loads(plan.plist.content.encode("utf-8"))
    assert isinstance(values, dict)
    return values


def test_plist_has_the_launch_agent_keys(paths: Paths, home: Path) -> None:
    launch = Launch((PROGRAM,), SERVE_ARGS, {"SOTTOVOCE_HOME": "/Users/ann/sv"})

    values = parsed(macos.build_plan(launch, paths, home, 501))

    assert values["Label"] == "com.sottovoce.daemon"
    assert values["ProgramArguments"] == [PROGRAM, "serve"]
    assert values["RunAtLoad"] is True
    assert values["KeepAlive"] == {"SuccessfulExit": False}
    assert values["StandardOutPath"] == str(paths.log_dir / "launchd.out.log")
    assert values["StandardErrorPath"] == str(paths.log_dir / "launchd.err.log")
    assert values["EnvironmentVariables"] == {"SOTTOVOCE_HOME": "/Users/ann/sv"}


def test_plist_has_no_environment_when_home_is_not_relocated(paths: Paths, home: Path) -> None:
    values = parsed(macos.build_plan(Launch((PROGRAM,), SERVE_ARGS), paths, home, 501))

    assert "EnvironmentVariables" not in values


def test_plan_targets_the_users_launch_agents_and_gui_domain(paths: Paths, home: Path) -> None:
    plan = macos.build_plan(Launch((PROGRAM,), SERVE_ARGS), paths, home, 501)

    assert plan.plist.path == home / "Library" / "LaunchAgents" / "com.sottovoce.daemon.plist"
    assert plan.service == "gui/501/com.sottovoce.daemon"


def test_plan_from_env_pins_sottovoce_home_and_runs_the_venv_script(
    login_env: dict[str, str], venv_python: Path
) -> None:
    values = parsed(macos.plan_from_env(login_env, str(venv_python)))

    assert values["ProgramArguments"] == [str(venv_python.with_name("sottovoce")), "serve"]
    assert values["EnvironmentVariables"] == {"SOTTOVOCE_HOME": login_env["SOTTOVOCE_HOME"]}


def test_install_writes_the_plist_and_creates_the_log_folder(paths: Paths, home: Path) -> None:
    plan = macos.build_plan(Launch((PROGRAM,), SERVE_ARGS), paths, home, 501)

    outcome = macos.install(plan)

    assert plistlib.loads(plan.plist.path.read_bytes())["ProgramArguments"] == [PROGRAM, "serve"]
    assert paths.log_dir.is_dir()
    assert f"wrote {plan.plist.path}" in outcome.actions


def test_uninstall_removes_the_plist_and_status_follows(paths: Paths, home: Path) -> None:
    plan = macos.build_plan(Launch((PROGRAM,), SERVE_ARGS), paths, home, 501)
    macos.install(plan)
    installed = macos.status(plan)

    outcome = macos.uninstall(plan)

    assert installed.installed
    assert not plan.plist.path.exists()
    assert f"removed {plan.plist.path}" in outcome.actions
    assert macos.status(plan).state is State.NOT_INSTALLED


def test_status_sees_a_plist_for_another_venv(paths: Paths, home: Path) -> None:
    macos.install(macos.build_plan(Launch((PROGRAM,), SERVE_ARGS), paths, home, 501))

    moved = macos.build_plan(Launch(("/elsewhere/sottovoce",), SERVE_ARGS), paths, home, 501)

    assert macos.status(moved).state is State.OUTDATED
