"""The shared pieces: templates, the launch command, atomic files, running OS tools."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from daemon.autostart.base import (
    FileSpec,
    State,
    files_state,
    find_program,
    pinned_environment,
    remove_files,
    render,
    run_tool,
    template_path,
    write_files,
)


@pytest.mark.parametrize(
    "name", ["sottovoce.service", "sottovoce.desktop", "com.sottovoce.daemon.plist"]
)
def test_templates_are_found_in_the_installers_folder(name: str) -> None:
    path = template_path(name)

    assert path.parent.parts[-2:] == ("installers", "templates")
    assert path.is_file()


def test_render_fills_placeholders_and_leaves_other_dollars_alone() -> None:
    text = render("A=${a}\nB=$b ${b}\n", {"a": "1", "b": "2"})

    assert text == "A=1\nB=$b 2\n"


def test_render_drops_a_line_whose_placeholders_are_all_empty() -> None:
    text = render("A=${a}\nEnv=${env}\nB=${a}${env}\n", {"a": "1", "env": ""})

    assert text == "A=1\nB=1\n"


def test_render_does_not_expand_placeholders_inside_values() -> None:
    assert render("X=${a}\n", {"a": "${b}", "b": "no"}) == "X=${b}\n"


def test_find_program_prefers_the_console_script(venv_python: Path) -> None:
    assert find_program(venv_python, windows=False) == (str(venv_python.with_name("sottovoce")),)


def test_find_program_runs_the_module_without_a_console_script(tmp_path: Path) -> None:
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.symlink_to(sys.executable)

    # The venv's own path, not the interpreter it links to: that one lacks the packages.
    assert find_program(python, windows=False) == (str(python), "-m", "daemon")


def test_pinned_environment_keeps_set_variables_as_absolute_paths(tmp_path: Path) -> None:
    environ = {"A": "relative/dir", "B": "", "C": str(tmp_path)}

    pinned = pinned_environment(environ, ("A", "B", "C", "D"))

    assert pinned == {"A": str(Path.cwd() / "relative" / "dir"), "C": str(tmp_path)}


def test_write_files_creates_parents_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    spec = FileSpec(tmp_path / "a" / "b" / "unit", "content\n")

    actions = write_files([spec], [tmp_path / "data"])

    assert spec.path.read_text(encoding="utf-8") == "content\n"
    assert spec.path.stat().st_mode & 0o777 == 0o644
    assert os.listdir(spec.path.parent) == ["unit"]
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert actions == [f"wrote {spec.path}"]


def test_write_files_replaces_an_older_version(tmp_path: Path) -> None:
    path = tmp_path / "unit"
    path.write_text("old", encoding="utf-8")

    write_files([FileSpec(path, "new")])

    assert path.read_text(encoding="utf-8") == "new"


def test_remove_files_reports_only_what_existed(tmp_path: Path) -> None:
    present = tmp_path / "present"
    present.touch()

    assert remove_files([present, tmp_path / "absent"]) == [f"removed {present}"]
    assert not present.exists()


def test_files_state_tells_none_some_different_and_all(tmp_path: Path) -> None:
    specs = [FileSpec(tmp_path / "a", "A"), FileSpec(tmp_path / "b", "B")]
    states = [files_state(specs)]
    specs[0].path.write_text("A", encoding="utf-8")
    states.append(files_state(specs))
    specs[1].path.write_text("changed", encoding="utf-8")
    states.append(files_state(specs))
    specs[1].path.write_text("B", encoding="utf-8")
    states.append(files_state(specs))

    assert states == [State.NOT_INSTALLED, State.PARTIAL, State.OUTDATED, State.INSTALLED]


def test_run_tool_returns_none_for_a_missing_tool(tmp_path: Path) -> None:
    assert run_tool(["no-such-tool-here"], {"PATH": str(tmp_path)}) is None


def test_run_tool_collects_exit_code_and_both_streams() -> None:
    result = run_tool(["sh", "-c", "echo out; echo err >&2; exit 3"], {"PATH": os.defpath})

    assert result is not None
    assert (result.returncode, result.ok, result.output) == (3, False, "out\nerr")
