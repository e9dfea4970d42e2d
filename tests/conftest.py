"""Fixtures for every test: an isolated SOTTOVOCE_HOME, and a shared running daemon."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.guard import OFFLINE_ENV
from tests.hotkeys.xapps import Xvfb, require_tools
from tests.support.daemon import RunningDaemon, start_daemon
from tests.support.pulse import PulseAudio

# Tests that load an engine in their own process switch its telemetry off too.
os.environ.update(OFFLINE_ENV)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the user's files: everything lives under a temp home."""
    home = tmp_path / "home"
    monkeypatch.setenv("SOTTOVOCE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def daemon(
    tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    """One real daemon on default models, shared by the API tests."""
    running = start_daemon(tmp_path_factory.mktemp("daemon-home"))
    yield running
    code = running.stop()
    assert code == 0, f"daemon exited with {code}:\n{running.log()}"


@pytest.fixture(autouse=True, scope="session")
def no_os_keyring() -> Iterator[None]:
    """Tests never read or write the user's OS keyring: the history key goes to a 0600 file."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield
    mp.undo()


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Xvfb]:
    """A private X server for the whole session (RECORD and XTEST on)."""
    require_tools()
    server = Xvfb(tmp_path_factory.mktemp("xvfb") / "xvfb.log")
    yield server
    server.close()


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseAudio]:
    """A private PulseAudio server whose default source is a virtual microphone."""
    server = PulseAudio(tmp_path_factory.mktemp("pulse"))
    yield server
    server.close()
