"""No tray host on the display (a bare X session): the tray stays quiet, the agent goes on."""

from __future__ import annotations

import gc
import logging
import threading

import pytest

from hotkeys.tray import Tray, TrayState
from tests.hotkeys.xapps import Xvfb
from tests.tray.conftest import STOP_TIMEOUT_S
from tests.tray.fakes import FakeController

CHANGES = 6


def test_state_changes_without_a_tray_host_log_no_traceback(
    xvfb: Xvfb, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DISPLAY", xvfb.name)
    monkeypatch.setenv("PYSTRAY_BACKEND", "xorg")  # in this process pystray stays on xorg
    tray = Tray(FakeController())
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG, logger="hotkeys.tray"):
        thread = threading.Thread(target=_run, args=(tray, errors))
        thread.start()
        try:
            for change in range(CHANGES):
                tray.set_state((TrayState.WORKING, TrayState.IDLE)[change % 2], str(change))
            tray.flush()
        finally:
            tray.stop()
            thread.join(STOP_TIMEOUT_S)
    assert not thread.is_alive()
    assert errors == []
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert tracebacks == []
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "failed" in r.message]
    assert len(warnings) <= 1, [r.message for r in warnings]
    assert tray.state is TrayState.IDLE
    # pystray's xorg icon closes its X connection when collected: while this X server runs.
    del tray
    gc.collect()


def _run(tray: Tray, errors: list[BaseException]) -> None:
    try:
        tray.run()
    except BaseException as error:
        errors.append(error)
