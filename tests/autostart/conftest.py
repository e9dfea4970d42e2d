"""A fake login: temp home, config and runtime folders, and a venv whose paths need quoting."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

# Each of these breaks a launcher that quotes badly: spaces, a systemd specifier,
# a shell variable, a backtick, a shell operator.
AWKWARD = "my venv %h $HOME `id` & co"


@pytest.fixture
def venv_python(tmp_path: Path) -> Path:
    """A virtual environment with a real executable `sottovoce` script beside its python."""
    bin_dir = tmp_path / AWKWARD / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.symlink_to(Path(os.path.realpath("/bin/true")))
    script = bin_dir / "sottovoce"
    script.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return python


@pytest.fixture
def login_env(tmp_path: Path) -> dict[str, str]:
    """A user environment under tmp_path, with no systemd user manager to reach."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(tmp_path / "user home"),
        "XDG_CONFIG_HOME": str(tmp_path / "user home" / ".config"),
        "XDG_RUNTIME_DIR": str(runtime),
        "SOTTOVOCE_HOME": str(tmp_path / "sotto voce"),
        "LANG": "C.UTF-8",
    }


def _require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install the apt package {package}", pytrace=False)


@pytest.fixture
def systemctl_tool() -> None:
    _require("systemctl", "systemd")


@pytest.fixture
def systemd_analyze_tool() -> None:
    _require("systemd-analyze", "systemd")


@pytest.fixture
def desktop_file_validate_tool() -> None:
    _require("desktop-file-validate", "desktop-file-utils")
