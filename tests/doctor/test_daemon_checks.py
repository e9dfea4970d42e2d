"""With a real daemon running: where it listens, its guard, its token, its encrypted history."""

from __future__ import annotations

from tests.doctor.helpers import run_doctor
from tests.support.daemon import RunningDaemon


def test_running_daemon_listens_on_loopback_only_with_guard_active(
    running_daemon: RunningDaemon,
) -> None:
    report = run_doctor(running_daemon.home)
    assert report.status("daemon") == "ok"
    assert str(running_daemon.process.pid) in report.check("daemon")["detail"]
    identity = report.check("identity")
    assert identity["status"] == "ok"
    assert identity["detail"] == (
        f"the daemon at {running_daemon.base_url} proved that it holds your token"
    )
    listening = report.check("listening")
    assert listening["status"] == "ok"
    assert f"tcp 127.0.0.1:{running_daemon.port}" in listening["detail"]
    assert report.status("outbound_guard") == "ok"
    assert report.check("token")["detail"].endswith("mode 600")


def test_running_daemon_reports_its_encrypted_history_and_models(
    running_daemon: RunningDaemon,
) -> None:
    report = run_doctor(running_daemon.home)
    assert report.status("history") == "ok"
    assert report.status("history_encryption") == "ok"
    # The tests' keyring is the fail backend: the key went to a 0600 file.
    key = report.check("history_key")
    assert key["status"] == "ok"
    assert "history.key, mode 600" in key["detail"]
    assert "loads on first use" in report.check("speech_model")["detail"]
    assert "running daemon" in report.check("device")["detail"]
    assert report.data["ok"] is True
    assert report.code == 0
