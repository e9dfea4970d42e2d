"""Run `sottovoce doctor` as a user would and read its report."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.daemon import daemon_env

#: Removed unless a test sets them: the report must not depend on the developer's desktop.
DESKTOP_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
STATUSES = {"ok", "info", "warn", "fail"}


@dataclass(frozen=True)
class Report:
    """The exit code and the parsed `--json` report."""

    code: int
    data: dict[str, Any]

    def check(self, name: str) -> dict[str, Any]:
        """One check by name."""
        found = [check for check in self.data["checks"] if check["name"] == name]
        assert len(found) == 1, f"{name}: {self.data}"
        check: dict[str, Any] = found[0]
        return check

    def status(self, name: str) -> str:
        """The status of one check."""
        return str(self.check(name)["status"])


def doctor_env(home: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a doctor process: this home, no desktop unless given."""
    environment = daemon_env(home)
    for name in DESKTOP_VARIABLES:
        environment.pop(name, None)
    environment.update(env or {})
    return environment


def run_doctor(home: Path, *args: str, env: dict[str, str] | None = None) -> Report:
    """`sottovoce doctor --json` in a child process."""
    done = subprocess.run(
        [sys.executable, "-m", "daemon", *args, "doctor", "--json"],
        env=doctor_env(home, env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout, done.stderr
    return Report(done.returncode, json.loads(done.stdout))
