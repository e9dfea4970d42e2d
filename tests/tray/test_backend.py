"""Whether a tray can be shown: a display and a pystray backend."""

from __future__ import annotations

import pytest

from hotkeys.tray import Tray, TrayError, tray_available
from tests.tray.fakes import FakeController
from tests.tray.xtray import XTray


def test_no_display_means_no_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert tray_available() is False


def test_a_display_with_a_backend_means_a_tray(display: XTray) -> None:
    assert tray_available() is True


def test_the_xorg_backend_is_used_when_asked(display: XTray) -> None:
    assert Tray(FakeController()).backend == "xorg"


def test_running_without_a_display_raises_a_tray_error(
    display: XTray, monkeypatch: pytest.MonkeyPatch
) -> None:
    tray = Tray(FakeController())
    monkeypatch.setenv("DISPLAY", "")
    with pytest.raises(TrayError, match="could not be created"):
        tray.run()
