"""`sottovoce autostart install|uninstall|status` as the CLI calls it, on this OS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import daemon.autostart as autostart

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="exercises the Linux backend end to end"
)


def test_install_status_uninstall_round_trip_from_this_venv(login_env: dict[str, str]) -> None:
    unit = Path(login_env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "sottovoce.service"
    entry = Path(login_env["XDG_CONFIG_HOME"]) / "autostart" / "sottovoce.desktop"

    autostart.install(login_env)
    installed = autostart.status(login_env)
    autostart.uninstall(login_env)

    assert installed.state is autostart.State.INSTALLED
    assert not unit.exists()
    assert not entry.exists()
    assert autostart.status(login_env).state is autostart.State.NOT_INSTALLED


@pytest.mark.usefixtures("systemd_analyze_tool")
def test_unit_for_this_venv_passes_systemd_analyze_verify(login_env: dict[str, str]) -> None:
    autostart.install(login_env)
    unit = Path(login_env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "sottovoce.service"

    result = subprocess.run(
        ["systemd-analyze", "verify", "--user", str(unit)],
        env=login_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")
