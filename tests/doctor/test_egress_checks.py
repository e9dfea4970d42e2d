"""The doctor says how the engines are kept off the network, and never more than is true."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from daemon.config import Settings
from daemon.doctor.context import Context, DaemonState
from daemon.doctor.egress_checks import engine_egress
from daemon.paths import Paths
from tests.doctor.helpers import run_doctor
from tests.support.daemon import RunningDaemon


def test_running_daemon_engines_have_seccomp_and_a_network_namespace(
    running_daemon: RunningDaemon,
) -> None:
    check = run_doctor(running_daemon.home).check("engine_egress")
    assert check["status"] == "ok"
    assert check["detail"].startswith(
        "the running daemon's engines: kernel: seccomp + network namespace; memory limit"
    )


def test_without_a_daemon_a_probe_worker_measures_this_machine(isolated_home: Path) -> None:
    check = run_doctor(isolated_home).check("engine_egress")
    assert check["status"] == "ok"
    assert "(the daemon is not running): kernel: seccomp + network namespace" in check["detail"]


def _context(egress: dict[str, Any]) -> Context:
    paths = Paths.from_env({"SOTTOVOCE_HOME": "/nonexistent"})
    health = {"egress": egress}
    return Context(
        paths, Settings(), paths.config_file, None, DaemonState(None, health), {}, "linux"
    )


@pytest.mark.parametrize(
    "protection, reason, status",
    [
        ("kernel: seccomp", "no network namespace: unshare refused (EPERM)", "warn"),
        ("Python guard only", "no seccomp: libseccomp could not be loaded (OSError)", "fail"),
    ],
)
def test_weaker_protection_is_reported_with_its_reason_and_fix(
    protection: str, reason: str, status: str
) -> None:
    check = engine_egress(
        _context({"protection": protection, "reason": reason, "memory_limit_mb": None})
    )
    assert check.status == status
    assert (
        protection in check.detail and reason in check.detail and "no memory limit" in check.detail
    )
    assert check.fix
