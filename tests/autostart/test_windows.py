"""Windows autostart: the Run-key value it would set, checked on any OS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from daemon.autostart import windows
from daemon.autostart.base import HOME_FLAG, SERVE_ARGS, AutostartError, Launch, State, find_program

PYTHONW = r"C:\Users\Ann Lee\AppData\Local\sottovoce\venv\Scripts\pythonw.exe"
PROGRAM = (PYTHONW, "-m", "daemon")


class MemoryRegistry:
    """HKEY_CURRENT_USER as a dict, for the logic around winreg."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get(self, key: str, name: str) -> str | None:
        return self.values.get((key, name))

    def set(self, key: str, name: str, value: str) -> None:
        self.values[(key, name)] = value

    def delete(self, key: str, name: str) -> bool:
        return self.values.pop((key, name), None) is not None


@pytest.fixture
def registry() -> MemoryRegistry:
    return MemoryRegistry()


def test_plan_sets_the_sottovoce_value_of_the_current_user_run_key() -> None:
    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))

    assert plan.key == r"Software\Microsoft\Windows\CurrentVersion\Run"
    assert plan.name == "Sottovoce"
    assert plan.location == r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run\Sottovoce"


def test_command_quotes_a_program_path_with_spaces() -> None:
    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))

    assert plan.command == f'"{PYTHONW}" -m daemon serve'


def test_relocated_home_travels_as_a_flag_before_the_subcommand() -> None:
    home = "C:\\Users\\Ann Lee\\sotto voce\\"

    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS, {"SOTTOVOCE_HOME": home}))

    # A trailing backslash before the closing quote must be doubled, or it escapes the quote.
    assert plan.command == (
        f'"{PYTHONW}" -m daemon {HOME_FLAG} "C:\\Users\\Ann Lee\\sotto voce\\\\" serve'
    )


def test_other_environment_variables_are_refused() -> None:
    with pytest.raises(AutostartError, match="XDG_DATA_HOME"):
        windows.build_plan(Launch(PROGRAM, SERVE_ARGS, {"XDG_DATA_HOME": "C:\\x"}))


def test_find_program_prefers_pythonw_beside_python(tmp_path: Path) -> None:
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    (scripts / "python.exe").touch()
    (scripts / "pythonw.exe").touch()

    assert find_program(scripts / "python.exe", windows=True) == (
        str(scripts / "pythonw.exe"),
        "-m",
        "daemon",
    )


def test_find_program_falls_back_to_python_without_pythonw(tmp_path: Path) -> None:
    (tmp_path / "python.exe").touch()

    assert find_program(tmp_path / "python.exe", windows=True)[0] == str(tmp_path / "python.exe")


def test_install_status_uninstall_round_trip(registry: MemoryRegistry) -> None:
    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))

    windows.install(plan, registry)
    installed = windows.status(plan, registry)
    removed = windows.uninstall(plan, registry)

    assert installed.state is State.INSTALLED
    assert removed.actions == (f"removed {plan.location}",)
    assert registry.values == {}
    assert windows.status(plan, registry).state is State.NOT_INSTALLED


def test_install_writes_exactly_the_planned_value(registry: MemoryRegistry) -> None:
    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))

    windows.install(plan, registry)

    assert registry.values == {(plan.key, "Sottovoce"): plan.command}


def test_uninstall_without_a_value_changes_nothing(registry: MemoryRegistry) -> None:
    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))

    assert windows.uninstall(plan, registry).actions == ()


def test_status_shows_a_command_from_another_install(registry: MemoryRegistry) -> None:
    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))
    registry.set(plan.key, plan.name, r"C:\old\pythonw.exe -m daemon serve")

    status = windows.status(plan, registry)

    assert status.state is State.OUTDATED
    assert status.notes == (r"registered command: C:\old\pythonw.exe -m daemon serve",)


def test_registry_errors_become_autostart_errors() -> None:
    class Denied(MemoryRegistry):
        def set(self, key: str, name: str, value: str) -> None:
            raise PermissionError(13, "Access is denied")

    plan = windows.build_plan(Launch(PROGRAM, SERVE_ARGS))

    with pytest.raises(AutostartError, match="Access is denied"):
        windows.install(plan, Denied())


@pytest.mark.skipif(sys.platform == "win32", reason="checks the behaviour off Windows")
def test_the_real_registry_is_refused_off_windows() -> None:
    with pytest.raises(AutostartError, match="only on Windows"):
        windows.CurrentUserRegistry().get(windows.RUN_KEY, windows.VALUE_NAME)


def windows_argv(command: str) -> list[str]:
    """Split a command line by the Microsoft C runtime's rules, as the started Python does."""
    if command.startswith('"'):
        end = command.index('"', 1)
        argv, rest = [command[1:end]], command[end + 1 :]
    else:
        first, _, rest = command.partition(" ")
        argv = [first]
    word: list[str] | None = None
    quoted = False
    index = 0
    while index < len(rest):
        char = rest[index]
        if char == "\\":
            run = len(rest[index:]) - len(rest[index:].lstrip("\\"))
            index += run
            word = word or []
            if index < len(rest) and rest[index] == '"':
                word.append("\\" * (run // 2))
                if run % 2:
                    word.append('"')
                    index += 1
            else:
                word.append("\\" * run)
            continue
        if char == '"':
            word = word or []
            quoted = not quoted
        elif char in " \t" and not quoted:
            if word is not None:
                argv.append("".join(word))
            word = None
        else:
            word = word or []
            word.append(char)
        index += 1
    if word is not None:
        argv.append("".join(word))
    return argv


@pytest.mark.parametrize("home", ["C:\\a b\\", "C:\\plain", "D:\\two  spaces\\\\", "C:\\x\\\\y z"])
def test_command_splits_back_into_the_argv_windows_gives_python(home: str) -> None:
    launch = Launch(PROGRAM, SERVE_ARGS, {"SOTTOVOCE_HOME": home})

    command = windows.build_plan(launch).command

    assert windows_argv(command) == [*PROGRAM, HOME_FLAG, home, *SERVE_ARGS]
