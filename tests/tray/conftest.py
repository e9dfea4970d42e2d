"""Tray fixtures: one Xvfb with trayer per session, a running tray per test."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from hotkeys.tray import Tray
from tests.desktop.session_bus import SessionBus
from tests.desktop.session_bus import require_tools as require_bus_tools
from tests.tray.fakes import FakeController
from tests.tray.xtray import XTray, require_tools

STOP_TIMEOUT_S = 10.0


@pytest.fixture(scope="session")
def x_tray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XTray]:
    """A private X server whose system tray is owned by trayer."""
    require_tools()
    server = XTray(tmp_path_factory.mktemp("xtray"))
    yield server
    # pystray's xorg Icon sits in a reference cycle and closes its X
    # connection when collected: collect it while the server still answers.
    gc.collect()
    server.close()


@pytest.fixture(scope="session")
def tray_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionBus]:
    """A private D-Bus session bus for the tray's desktop (GTK, notifications)."""
    require_bus_tools()
    bus = SessionBus(tmp_path_factory.mktemp("tray-bus"))
    yield bus
    bus.close()


@pytest.fixture
def display(x_tray: XTray, monkeypatch: pytest.MonkeyPatch) -> XTray:
    """DISPLAY on the private server, and pystray's xorg backend (no GTK in the venv)."""
    monkeypatch.setenv("DISPLAY", x_tray.name)
    monkeypatch.setenv("PYSTRAY_BACKEND", "xorg")
    return x_tray


@pytest.fixture
def controller() -> FakeController:
    """A controller recording what the menu asks."""
    return FakeController()


@dataclass
class RunningTray:
    """A tray whose run() is going on in a thread."""

    tray: Tray
    thread: threading.Thread
    errors: list[BaseException]


@pytest.fixture
def running(display: XTray, controller: FakeController) -> Iterator[RunningTray]:
    """A tray running in a thread (the xorg backend serves any thread), stopped afterwards."""
    tray = Tray(controller)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            tray.run()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run, name="tray-run")
    thread.start()
    assert tray.flush(), "the tray did not start"
    yield RunningTray(tray, thread, errors)
    tray.stop()
    thread.join(STOP_TIMEOUT_S)
    assert not thread.is_alive(), "tray.run() did not return after stop()"
    assert errors == []
