"""Linux autostart: a systemd user unit systemd accepts, an XDG entry, clean removal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from daemon.autostart import linux
from daemon.autostart.base import AGENT_ARGS, SERVE_ARGS, AutostartError, Launch, State
from daemon.paths import Paths

# The test command installs these tools: a missing one is a failure, never a skip.
needs_systemctl = pytest.mark.usefixtures("systemctl_tool")
needs_analyze = pytest.mark.usefixtures("systemd_analyze_tool")
needs_validator = pytest.mark.usefixtures("desktop_file_validate_tool")


def verify(unit: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify --user`, which needs only a private runtime folder, not systemd."""
    return subprocess.run(
        ["systemd-analyze", "verify", "--user", str(unit)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings(text: str, key: str) -> list[str]:
    """Every value of `key` in a unit or desktop file."""
    prefix = f"{key}="
    return [line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)]


def desktop_exec_argv(value: str) -> list[str]:
    """Split an Exec value as a launcher does; its quoting rules are the POSIX shell's."""
    # String escapes first, then field codes, as the Desktop Entry spec orders them.
    command = value.replace("\\\\", "\\").replace("%%", "%")
    printed = subprocess.run(
        ["sh", "-c", f"printf '%s\\0' {command}"], capture_output=True, timeout=60, check=True
    )
    return printed.stdout.decode().split("\0")[:-1]


@pytest.fixture
def plan(login_env: dict[str, str], venv_python: Path) -> linux.LinuxPlan:
    return linux.plan_from_env(login_env, str(venv_python))


@needs_analyze
def test_installed_unit_passes_systemd_analyze_verify(
    plan: linux.LinuxPlan, login_env: dict[str, str]
) -> None:
    linux.install(plan)

    result = verify(plan.unit.path, login_env)

    # verify exits 0 on settings it ignores, so its warnings count as failures too.
    assert (result.returncode, result.stderr) == (0, "")


@needs_analyze
def test_verify_catches_a_unit_whose_program_is_missing(
    login_env: dict[str, str], tmp_path: Path
) -> None:
    missing = Launch((str(tmp_path / "gone" / "sottovoce"),), SERVE_ARGS)
    plan = linux.build_plan(missing, missing, Paths.from_env(login_env), login_env)
    linux.install(plan)

    result = verify(plan.unit.path, login_env)

    assert result.returncode != 0
    assert "gone/sottovoce" in result.stderr


def test_files_go_to_the_users_systemd_and_autostart_folders(
    plan: linux.LinuxPlan, login_env: dict[str, str]
) -> None:
    config = Path(login_env["XDG_CONFIG_HOME"])

    linux.install(plan)

    assert plan.unit.path == config / "systemd" / "user" / "sottovoce.service"
    assert plan.desktop.path == config / "autostart" / "sottovoce.desktop"
    assert plan.unit.path.read_text(encoding="utf-8") == plan.unit.content
    assert plan.desktop.path.read_text(encoding="utf-8") == plan.desktop.content


def test_config_home_falls_back_to_dot_config_when_unset_or_relative() -> None:
    assert linux.config_home({"HOME": "/home/ann"}) == Path("/home/ann/.config")
    assert linux.config_home({"HOME": "/home/ann", "XDG_CONFIG_HOME": "rel"}) == Path(
        "/home/ann/.config"
    )
    assert linux.config_home({"HOME": "/h", "XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg")


def test_unit_runs_serve_from_the_venv(plan: linux.LinuxPlan, venv_python: Path) -> None:
    script = str(venv_python.with_name("sottovoce")).replace("%", "%%")

    assert settings(plan.unit.content, "ExecStart") == [f'"{script}" "serve"']


def test_unit_is_hardened_and_loopback_only(plan: linux.LinuxPlan) -> None:
    text = plan.unit.content

    assert settings(text, "RestrictAddressFamilies") == ["AF_UNIX AF_INET AF_INET6"]
    assert settings(text, "IPAddressDeny") == ["any"]
    assert settings(text, "IPAddressAllow") == ["localhost"]
    assert settings(text, "ProtectSystem") == ["strict"]
    for key in ("NoNewPrivileges", "PrivateTmp", "PrivateUsers", "LockPersonality"):
        assert settings(text, key) == ["yes"], key
    assert settings(text, "SystemCallArchitectures") == ["native"]
    assert settings(text, "Restart") == ["on-failure"]
    assert settings(text, "UnsetEnvironment") == ["DISPLAY WAYLAND_DISPLAY"]


def test_unit_may_write_only_the_sottovoce_folders(
    plan: linux.LinuxPlan, login_env: dict[str, str]
) -> None:
    home = login_env["SOTTOVOCE_HOME"]

    assert settings(plan.unit.content, "ReadWritePaths") == [
        " ".join(f'"{home}/{name}"' for name in ("config", "data", "state", "logs"))
    ]


def test_install_creates_the_writable_folders_user_only(
    plan: linux.LinuxPlan, login_env: dict[str, str]
) -> None:
    linux.install(plan)

    for folder in plan.directories:
        assert folder.is_dir()
        assert folder.stat().st_mode & 0o777 == 0o700
        assert Path(login_env["SOTTOVOCE_HOME"]) in folder.parents


def test_sottovoce_home_and_xdg_config_home_are_pinned_in_both_files(
    plan: linux.LinuxPlan, login_env: dict[str, str]
) -> None:
    home, config = login_env["SOTTOVOCE_HOME"], login_env["XDG_CONFIG_HOME"]

    assert settings(plan.unit.content, "Environment") == [
        f'"SOTTOVOCE_HOME={home}" "XDG_CONFIG_HOME={config}"'
    ]
    argv = desktop_exec_argv(settings(plan.desktop.content, "Exec")[0])
    assert argv[:3] == ["env", f"SOTTOVOCE_HOME={home}", f"XDG_CONFIG_HOME={config}"]


def test_unit_has_no_environment_line_when_nothing_is_relocated(
    login_env: dict[str, str], venv_python: Path
) -> None:
    bare = {k: v for k, v in login_env.items() if k not in ("SOTTOVOCE_HOME", "XDG_CONFIG_HOME")}

    plan = linux.plan_from_env(bare, str(venv_python))

    assert settings(plan.unit.content, "Environment") == []
    assert desktop_exec_argv(settings(plan.desktop.content, "Exec")[0])[0] != "env"


def test_unit_arguments_keep_dollar_and_percent_literal(
    login_env: dict[str, str], venv_python: Path
) -> None:
    launch = Launch((str(venv_python),), ("serve", 'a$b%c"d'))

    plan = linux.build_plan(launch, launch, Paths.from_env(login_env), login_env)

    assert settings(plan.unit.content, "ExecStart")[0].endswith(' "serve" "a$$b%%c\\"d"')


def test_desktop_entry_starts_the_agent_from_the_venv(
    plan: linux.LinuxPlan, venv_python: Path
) -> None:
    script = str(venv_python.with_name("sottovoce"))

    argv = desktop_exec_argv(settings(plan.desktop.content, "Exec")[0])

    assert argv[-1 - len(AGENT_ARGS) :] == [script, *AGENT_ARGS]
    assert settings(plan.desktop.content, "TryExec") == [script]


def test_desktop_exec_survives_quotes_and_backslashes_in_the_path(
    login_env: dict[str, str],
) -> None:
    program = '/opt/my "venv" \\x it\'s/bin/sottovoce'
    launch = Launch((program,), AGENT_ARGS)
    daemon = Launch(("/opt/venv/bin/sottovoce",), SERVE_ARGS)

    plan = linux.build_plan(daemon, launch, Paths.from_env(login_env), login_env)

    assert desktop_exec_argv(settings(plan.desktop.content, "Exec")[0]) == [program, *AGENT_ARGS]


def test_a_program_path_systemd_would_refuse_is_refused_before_writing(
    login_env: dict[str, str],
) -> None:
    launch = Launch(("/opt/it's/bin/sottovoce",), SERVE_ARGS)

    with pytest.raises(AutostartError, match="quotes or backslashes"):
        linux.build_plan(launch, launch, Paths.from_env(login_env), login_env)


def test_a_newline_in_a_path_is_refused(login_env: dict[str, str]) -> None:
    launch = Launch(("/opt/a\nb/sottovoce",), SERVE_ARGS)

    with pytest.raises(AutostartError, match="control characters"):
        linux.build_plan(launch, launch, Paths.from_env(login_env), login_env)


@needs_validator
def test_desktop_entry_passes_desktop_file_validate(plan: linux.LinuxPlan) -> None:
    linux.install(plan)

    result = subprocess.run(
        ["desktop-file-validate", str(plan.desktop.path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@needs_systemctl
def test_install_enables_the_unit_for_login(plan: linux.LinuxPlan) -> None:
    outcome = linux.install(plan)

    assert plan.wants_link.is_symlink()
    assert plan.wants_link.resolve() == plan.unit.path.resolve()
    assert "enabled sottovoce.service" in outcome.actions


@needs_systemctl
def test_install_without_a_user_manager_says_how_to_start_now(plan: linux.LinuxPlan) -> None:
    outcome = linux.install(plan)

    assert not any(action.startswith("started") for action in outcome.actions)
    assert any("systemctl --user start sottovoce.service" in note for note in outcome.notes)


def test_install_without_systemctl_still_writes_files_and_says_so(
    plan: linux.LinuxPlan, tmp_path: Path
) -> None:
    no_systemd = linux.LinuxPlan(
        plan.unit, plan.desktop, plan.directories, {**plan.environ, "PATH": str(tmp_path)}
    )

    outcome = linux.install(no_systemd)

    assert plan.unit.path.is_file()
    assert plan.desktop.path.is_file()
    assert any("systemctl not found" in note for note in outcome.notes)


def test_uninstall_removes_unit_entry_and_login_link_but_keeps_user_data(
    plan: linux.LinuxPlan,
) -> None:
    linux.install(plan)
    token = plan.directories[0] / "token"
    token.write_text("secret", encoding="utf-8")

    outcome = linux.uninstall(plan)

    assert not plan.unit.path.exists()
    assert not plan.desktop.path.exists()
    assert not plan.wants_link.is_symlink()
    assert token.read_text(encoding="utf-8") == "secret"
    assert f"removed {plan.unit.path}" in outcome.actions


def test_uninstall_when_not_installed_changes_nothing(plan: linux.LinuxPlan) -> None:
    outcome = linux.uninstall(plan)

    assert outcome.actions == ()
    assert outcome.notes == ()


def test_status_follows_install_and_uninstall(plan: linux.LinuxPlan) -> None:
    assert linux.status(plan).state is State.NOT_INSTALLED

    linux.install(plan)
    installed = linux.status(plan)
    linux.uninstall(plan)

    assert installed.installed
    assert linux.status(plan).state is State.NOT_INSTALLED


@needs_systemctl
def test_status_reports_the_unit_enabled(plan: linux.LinuxPlan) -> None:
    linux.install(plan)

    assert "unit enabled" in linux.status(plan).notes


def test_status_sees_a_missing_desktop_entry(plan: linux.LinuxPlan) -> None:
    linux.install(plan)
    plan.desktop.path.unlink()

    assert linux.status(plan).state is State.PARTIAL


def test_status_sees_a_registration_from_another_venv(
    plan: linux.LinuxPlan, login_env: dict[str, str], tmp_path: Path
) -> None:
    linux.install(plan)
    other = Launch((str(tmp_path / "elsewhere" / "sottovoce"),), SERVE_ARGS)

    moved = linux.build_plan(other, other, Paths.from_env(login_env), login_env)

    assert linux.status(moved).state is State.OUTDATED


def test_reinstall_from_another_venv_replaces_the_registration(
    plan: linux.LinuxPlan, login_env: dict[str, str], tmp_path: Path
) -> None:
    linux.install(plan)
    other = Launch((str(tmp_path / "elsewhere" / "sottovoce"),), SERVE_ARGS)
    moved = linux.build_plan(other, other, Paths.from_env(login_env), login_env)

    linux.install(moved)

    assert linux.status(moved).installed
    assert linux.status(plan).state is State.OUTDATED
