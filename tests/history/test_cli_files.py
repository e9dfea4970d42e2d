"""The history CLI with the real encrypted store: an export is a new 0600 file that never
follows a symlink, and a closed pipe (`| head`) ends the listing without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from daemon.config import HistorySettings
from daemon.history.models import NewEntry
from daemon.history.service import open_store
from daemon.paths import Paths
from tests.support.daemon import daemon_env, sottovoce


@pytest.fixture
def home_with_history(isolated_home: Path) -> Path:
    store = open_store(HistorySettings(key_source="file"), Paths.from_env())
    try:
        for i in range(30):
            store.add(NewEntry(kind="dictation", output_text=f"Note {i}: denies chest pain."))
    finally:
        store.close()
    return isolated_home


def test_history_list_into_a_closed_pipe_ends_quietly(home_with_history: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "daemon", "history", "list", "--limit", "30"],
        env=daemon_env(home_with_history),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `head` does once it has its lines
    with process.stderr:
        errors = process.stderr.read().decode()
    assert process.wait(60) == 1
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
    shell = subprocess.run(
        f"{sys.executable} -m daemon history list --limit 30 | head -n 1",
        shell=True,
        env=daemon_env(home_with_history),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Note 29" in shell.stdout and "Traceback" not in shell.stderr


def test_an_export_never_follows_a_planted_symlink(home_with_history: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    victim.chmod(0o644)
    planted = tmp_path / "export.json"
    planted.symlink_to(victim)
    refused = sottovoce("history", "export", str(planted), home=home_with_history)
    assert refused.returncode == 1 and "exists" in refused.stderr
    forced = sottovoce("history", "export", str(planted), "--force", home=home_with_history)
    assert forced.returncode == 0, forced.stderr
    assert victim.read_text() == "someone else's file\n"
    assert not planted.is_symlink()
    assert planted.stat().st_mode & 0o777 == 0o600
    assert len(json.loads(planted.read_text())) == 30
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_forcing_over_a_readable_export_makes_it_private(
    home_with_history: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.json"
    old.write_text("[]")
    old.chmod(0o644)
    forced = sottovoce("history", "export", str(old), "--force", home=home_with_history)
    assert forced.returncode == 0, forced.stderr
    assert old.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh.json"
    created = sottovoce("history", "export", str(fresh), home=home_with_history)
    assert created.returncode == 0, created.stderr
    assert fresh.stat().st_mode & 0o777 == 0o600
