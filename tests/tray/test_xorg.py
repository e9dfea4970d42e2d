"""The fixes to pystray's xorg backend, on a real X server with trayer."""

from __future__ import annotations

import threading

from hotkeys.tray import Tray, TrayState
from hotkeys.tray.backend import load_pystray
from hotkeys.tray.classes import icon_class
from tests.tray.conftest import STOP_TIMEOUT_S, RunningTray
from tests.tray.fakes import FakeController
from tests.tray.xtray import XTray, wait_for

CYCLES = 10
CHANGES = 100


def test_xorg_backend_gets_the_fixed_icon(display: XTray) -> None:
    pystray = load_pystray()
    fixed = icon_class(pystray)
    assert fixed is not pystray.Icon
    assert issubclass(fixed, pystray.Icon)


def test_many_state_changes_never_hang(running: RunningTray) -> None:
    # Unfixed, pystray's cross-thread calls deadlocked python-xlib within a few
    # dozen changes (measured: after 12, 13 and 28).
    states = (TrayState.LISTENING, TrayState.WORKING, TrayState.IDLE)
    for change in range(CHANGES):
        running.tray.set_state(states[change % len(states)], str(change))
        assert running.tray.flush(), f"change {change} was not applied"


def test_state_changes_keep_the_icon_in_one_socket(running: RunningTray, display: XTray) -> None:
    # Unfixed, every change asked trayer to dock again, moving the icon into a
    # fresh socket each time.
    assert wait_for(display.tray_icon, lambda w: w is not None) is not None
    socket = display.icon_parent()
    for state in (TrayState.LISTENING, TrayState.WORKING, TrayState.IDLE, TrayState.ERROR):
        running.tray.set_state(state)
        assert running.tray.flush()
        assert display.icon_parent() == socket


def test_repeated_start_and_stop(display: XTray) -> None:
    for cycle in range(CYCLES):
        tray = Tray(FakeController())
        thread = threading.Thread(target=tray.run)
        thread.start()
        assert tray.flush(), f"cycle {cycle}: the tray did not start"
        tray.set_state(TrayState.LISTENING)
        tray.stop()
        thread.join(STOP_TIMEOUT_S)
        assert not thread.is_alive(), f"cycle {cycle}: run() did not return"


def test_calls_after_the_loop_ended_do_not_hang(display: XTray) -> None:
    tray = Tray(FakeController())
    thread = threading.Thread(target=tray.run)
    thread.start()
    assert tray.flush()
    tray.stop()
    thread.join(STOP_TIMEOUT_S)
    assert not thread.is_alive()
    tray.set_state(TrayState.ERROR)
    tray.notify("after the end", "ignored")
    tray.stop()
    assert tray.flush(timeout=0.1) is False
    assert tray.state is TrayState.ERROR
