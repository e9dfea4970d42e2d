"""The report's shape, its text form, and what it says when no daemon runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil

from tests.doctor.helpers import STATUSES, doctor_env, run_doctor
from tests.support.daemon import write_config

EXPECTED_CHECKS = [
    "upstream",
    "upstream_speech",
    "config",
    "daemon",
    "identity",
    "listening",
    "outbound_guard",
    "engine_egress",
    "token",
    "history",
    "history_encryption",
    "history_key",
    "retention",
    "speech_model",
    "llm_model",
    "device",
    "vram",
    "display",
    "hotkeys",
    "microphone",
    "clipboard",
    "agent",
    "tray",
    "notifications",
]


def test_without_a_daemon_the_daemon_check_fails_with_the_start_fix(isolated_home: Path) -> None:
    report = run_doctor(isolated_home)
    assert report.code == 1
    assert report.data["ok"] is False
    daemon = report.check("daemon")
    assert daemon["status"] == "fail"
    assert "sottovoce serve" in daemon["fix"]
    # Without a daemon nothing can be said about its sockets or its guard.
    assert report.status("listening") == "info"
    assert report.status("outbound_guard") == "info"


def test_json_schema_is_stable(isolated_home: Path) -> None:
    report = run_doctor(isolated_home)
    assert set(report.data) == {"ok", "checks"}
    assert [check["name"] for check in report.data["checks"]] == EXPECTED_CHECKS
    for check in report.data["checks"]:
        assert set(check) == {"name", "status", "detail", "fix"}
        assert check["status"] in STATUSES
        assert check["detail"]
        # Whatever is not OK says what to do about it.
        if check["status"] in ("warn", "fail"):
            assert check["fix"], check


def test_text_report_gives_one_line_per_check_with_status_and_fix(isolated_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "doctor"],
        env=doctor_env(isolated_home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    daemon_line = next(line for line in lines if line.split()[1:2] == ["daemon"])
    assert daemon_line.startswith("FAIL")
    assert "fix: start it with `sottovoce serve`" in daemon_line
    assert all(
        line.split()[0] in {"OK", "INFO", "WARN", "FAIL"} for line in lines[: len(EXPECTED_CHECKS)]
    )


def test_stale_runtime_file_is_not_mistaken_for_a_running_daemon(isolated_home: Path) -> None:
    exited = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(exited.stdout)
    assert not psutil.pid_exists(pid)
    runtime = isolated_home / "state" / "daemon.json"
    runtime.parent.mkdir(parents=True)
    runtime.write_text(
        json.dumps({"pid": pid, "host": "127.0.0.1", "port": 9, "version": "0"}), encoding="utf-8"
    )
    report = run_doctor(isolated_home)
    assert report.status("daemon") == "fail"
    assert "stale" in report.check("daemon")["detail"]


def test_invalid_config_fails_the_config_check_and_the_rest_still_runs(
    isolated_home: Path,
) -> None:
    write_config(isolated_home, "[history]\nretention_days = -3\n")
    report = run_doctor(isolated_home)
    config = report.check("config")
    assert config["status"] == "fail"
    assert "retention_days" in config["detail"]
    assert [check["name"] for check in report.data["checks"]] == EXPECTED_CHECKS
