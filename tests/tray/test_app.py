"""The tray on a real X server with a real tray host: seen on screen, changed, stopped."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hotkeys.tray import Tray, TrayState
from hotkeys.tray.icons import BACKGROUND, draw_icon
from tests.tray.conftest import STOP_TIMEOUT_S, RunningTray
from tests.tray.fakes import FakeController
from tests.tray.xtray import (
    TrayWindow,
    XTray,
    as_drawn,
    difference,
    dominant_colour,
    near,
    wait_for,
)


def shown(x: XTray) -> TrayWindow:
    """The icon's window in the tray, waited for (trayer docks it asynchronously)."""
    window = wait_for(x.tray_icon, lambda w: w is not None and w.rect.width > 1)
    assert window is not None, "no tray icon window is mapped"
    return window


def icon_colour(x: XTray, save_as: Path | None = None) -> tuple[int, int, int]:
    """The most frequent colour of the icon's area in a screenshot."""
    window = shown(x)
    return dominant_colour(x.screenshot(save_as).crop(window.rect.box()))


def shows_image(x: XTray, image: Image.Image) -> float:
    """How far the icon on screen is from `image` as pystray paints it (0: identical)."""

    def distance() -> float:
        window = shown(x)
        crop = x.screenshot().crop(window.rect.box())
        return difference(crop, as_drawn(image, crop.size))

    return wait_for(distance, lambda d: d < 1.0)


def colour_becomes(x: XTray, state: TrayState, save_as: Path | None = None) -> tuple[int, int, int]:
    """The icon's colour on screen, polled until it shows `state` or time runs out."""
    return wait_for(lambda: icon_colour(x, save_as), lambda c: near(c, BACKGROUND[state]))


def test_icon_is_shown_in_the_tray_area(
    running: RunningTray, display: XTray, tmp_path: Path
) -> None:
    window = shown(display)
    panel = display.panel()
    assert panel is not None and panel.contains(window.rect)
    colour = colour_becomes(display, TrayState.IDLE, tmp_path / "idle.png")
    assert near(colour, BACKGROUND[TrayState.IDLE])


def test_tooltip_names_the_state(running: RunningTray, display: XTray) -> None:
    assert shown(display).name == "Sottovoce - Idle"
    running.tray.set_state(TrayState.WORKING, "rewriting")
    assert running.tray.flush()
    assert shown(display).name == "Sottovoce - Working: rewriting"


def test_listening_changes_the_image_and_the_screen(
    running: RunningTray, display: XTray, tmp_path: Path
) -> None:
    tray = running.tray
    idle_bytes = tray.icon_image.tobytes()
    tray.set_state(TrayState.LISTENING)
    assert tray.state is TrayState.LISTENING
    assert tray.icon_image.tobytes() != idle_bytes
    assert tray.flush()
    assert tray.icon.icon.tobytes() == tray.icon_image.tobytes()
    colour = colour_becomes(display, TrayState.LISTENING, tmp_path / "listening.png")
    assert near(colour, BACKGROUND[TrayState.LISTENING])


@pytest.mark.parametrize("state", list(TrayState))
def test_each_state_is_painted_as_its_icon(
    running: RunningTray, display: XTray, state: TrayState
) -> None:
    running.tray.set_state(state)
    assert running.tray.flush()
    assert shows_image(display, draw_icon(state)) < 1.0
    crop = display.screenshot().crop(shown(display).rect.box())
    for other in TrayState:
        if other is not state:
            assert difference(crop, as_drawn(draw_icon(other), crop.size)) > 10.0, other


def test_state_set_from_many_threads_ends_on_the_last(running: RunningTray, display: XTray) -> None:
    tray = running.tray
    workers = [
        threading.Thread(target=tray.set_state, args=(state,))
        for state in (TrayState.WORKING, TrayState.PAUSED, TrayState.ERROR)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    tray.set_state(TrayState.LISTENING)
    assert tray.flush()
    assert near(colour_becomes(display, TrayState.LISTENING), BACKGROUND[TrayState.LISTENING])


def find(menu: Any, text: str) -> Any:
    return next(entry for entry in menu.items if entry.text == text)


def test_quit_item_calls_quit_and_ends_run(
    running: RunningTray, controller: FakeController, display: XTray
) -> None:
    find(running.tray.menu, "Quit")(running.tray.icon)
    assert controller.quit_called.is_set()
    running.thread.join(STOP_TIMEOUT_S)
    assert not running.thread.is_alive(), "run() did not return after Quit"
    assert wait_for(display.tray_icon, lambda w: w is None) is None


def test_stop_returns_run_and_removes_the_icon(running: RunningTray, display: XTray) -> None:
    shown(display)
    running.tray.stop()
    running.thread.join(STOP_TIMEOUT_S)
    assert not running.thread.is_alive(), "run() did not return after stop()"
    assert running.tray.icon is None
    assert wait_for(display.tray_icon, lambda w: w is None) is None
    assert running.tray.flush(timeout=0.1) is False


def test_stop_before_run_makes_run_return_at_once(display: XTray) -> None:
    tray = Tray(FakeController())
    tray.stop()
    tray.run()
    assert tray.icon is None


def test_state_set_before_run_is_shown(display: XTray) -> None:
    tray = Tray(FakeController())
    tray.set_state(TrayState.ERROR, "model missing")
    thread = threading.Thread(target=tray.run)
    thread.start()
    try:
        assert tray.flush()
        assert near(colour_becomes(display, TrayState.ERROR), BACKGROUND[TrayState.ERROR])
        assert shown(display).name == "Sottovoce - Error: model missing"
    finally:
        tray.stop()
        thread.join(STOP_TIMEOUT_S)
    assert not thread.is_alive()
