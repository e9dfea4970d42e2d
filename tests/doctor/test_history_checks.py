"""History settings flipped in the config change the report."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.doctor.helpers import run_doctor
from tests.support.daemon import write_config


def test_history_off_is_reported_as_off(isolated_home: Path) -> None:
    assert run_doctor(isolated_home).status("history") == "ok"
    write_config(isolated_home, "[history]\nenabled = false\n")
    report = run_doctor(isolated_home)
    assert report.status("history") == "info"
    assert "off" in report.check("history")["detail"]
    assert report.status("retention") == "info"


def test_retention_zero_keeps_history_forever_and_warns(isolated_home: Path) -> None:
    assert run_doctor(isolated_home).status("retention") == "ok"
    write_config(isolated_home, "[history]\nretention_days = 0\n")
    retention = run_doctor(isolated_home).check("retention")
    assert retention["status"] == "warn"
    assert "forever" in retention["detail"]
    assert "retention_days" in retention["fix"]


def test_key_file_source_reports_the_file_and_its_mode(isolated_home: Path) -> None:
    write_config(isolated_home, '[history]\nkey_source = "file"\n')
    key_file = isolated_home / "config" / "history.key"
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write("ab" * 32 + "\n")
    key = run_doctor(isolated_home).check("history_key")
    assert key["status"] == "ok"
    assert f"{key_file}, mode 600" in key["detail"]
    # What a key file in the same home folder protects against, and what not.
    assert "a copy of history.db" in key["detail"]
    assert "a program running as you" in key["detail"]

    key_file.chmod(0o644)
    key = run_doctor(isolated_home).check("history_key")
    assert key["status"] == "fail"
    assert "mode 644" in key["detail"]
    assert key["fix"] == f"chmod 600 {key_file}"


def test_env_key_source_without_the_variable_fails(isolated_home: Path) -> None:
    write_config(isolated_home, '[history]\nkey_source = "env"\npassphrase_env = "SV_TEST_PASS"\n')
    key = run_doctor(isolated_home).check("history_key")
    assert key["status"] == "fail"
    assert "SV_TEST_PASS" in key["fix"]
    key = run_doctor(isolated_home, env={"SV_TEST_PASS": "correct horse battery"}).check(
        "history_key"
    )
    assert key["status"] == "ok"


def test_plain_sqlite_history_fails_the_encryption_check(isolated_home: Path) -> None:
    database = isolated_home / "data" / "history.db"
    database.parent.mkdir(parents=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE entries (text TEXT)")
        connection.execute("INSERT INTO entries VALUES ('patient denies chest pain')")
    connection.close()
    report = run_doctor(isolated_home)
    encryption = report.check("history_encryption")
    assert encryption["status"] == "fail"
    assert "unencrypted" in encryption["detail"]
    assert report.code == 1
