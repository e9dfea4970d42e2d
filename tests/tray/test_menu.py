"""The tray menu, driven through pystray's menu API as a click would."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hotkeys.tray import Tray, TrayState
from tests.tray.fakes import FakeController
from tests.tray.xtray import XTray


def item(menu: Any, text: str) -> Any:
    """The visible item of `menu` with this text."""
    found = [entry for entry in menu.items if entry.text == text]
    assert len(found) == 1, f"{text!r} not in {[entry.text for entry in menu.items]}"
    return found[0]


@pytest.fixture
def tray(display: XTray, controller: FakeController) -> Tray:
    """A tray that is built but not running: its menu works on its own."""
    return Tray(controller)


def test_first_item_is_a_disabled_state_line(tray: Tray) -> None:
    first = tray.menu.items[0]
    assert first.text == "Idle"
    assert not first.enabled
    tray.set_state(TrayState.LISTENING, "dictation")
    assert tray.menu.items[0].text == "Listening: dictation"


def test_status_line_comes_from_the_controller(tray: Tray, controller: FakeController) -> None:
    status = tray.menu.items[1]
    assert status.text == "tiny.en + SmolLM2-135M-Instruct on cpu"
    assert not status.enabled


def test_pause_item_toggles_the_hotkeys(tray: Tray, controller: FakeController) -> None:
    item(tray.menu, "Pause hotkeys")(None)
    assert controller.calls == [("set_paused", True)]
    item(tray.menu, "Resume hotkeys")(None)
    assert controller.calls[-1] == ("set_paused", False)


@pytest.mark.parametrize(
    ("label", "current", "other", "call"),
    [
        ("Speech model", "tiny.en", "base", "choose_speech_model"),
        ("Rewrite preset", "proofread", "soap", "choose_preset"),
    ],
)
def test_choices_are_radio_items_marking_the_current_one(
    tray: Tray, controller: FakeController, label: str, current: str, other: str, call: str
) -> None:
    submenu = item(tray.menu, label).submenu
    assert all(entry.radio for entry in submenu.items)
    assert [entry.text for entry in submenu.items if entry.checked] == [current]
    item(submenu, other)(None)
    assert controller.calls == [(call, other)]
    assert [entry.text for entry in submenu.items if entry.checked] == [other]


def test_language_models_come_from_the_controller(tray: Tray, controller: FakeController) -> None:
    controller.llm.append("qwen2.5-7b-instruct")
    submenu = item(tray.menu, "Language model").submenu
    assert [entry.text for entry in submenu.items] == [
        "SmolLM2-135M-Instruct",
        "qwen2.5-7b-instruct",
    ]
    item(submenu, "qwen2.5-7b-instruct")(None)
    assert controller.calls == [("choose_llm_model", "qwen2.5-7b-instruct")]


def test_no_installed_models_shows_a_disabled_entry(
    display: XTray, controller: FakeController
) -> None:
    controller.speech.clear()
    submenu = item(Tray(controller).menu, "Speech model").submenu
    assert [(entry.text, entry.enabled) for entry in submenu.items] == [("(none installed)", False)]


@pytest.mark.parametrize(
    ("text", "call"),
    [("Open history", "open_history"), ("Copy API token", "copy_token"),
     ("Privacy report", "privacy_report")],
)  # fmt: skip
def test_action_items_reach_the_controller(
    tray: Tray, controller: FakeController, text: str, call: str
) -> None:
    item(tray.menu, text)(None)
    assert controller.calls == [(call, None)]


def test_left_click_opens_the_history(tray: Tray, controller: FakeController) -> None:
    # pystray runs the menu's default item on activation (xorg: a left click).
    tray.menu(None)
    assert controller.calls == [("open_history", None)]


def test_quit_item_asks_the_controller_to_quit(tray: Tray, controller: FakeController) -> None:
    item(tray.menu, "Quit")(None)
    assert controller.quit_called.is_set()


def test_a_failing_controller_is_logged_not_raised(
    display: XTray, controller: FakeController, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    controller.copy_token = broken  # type: ignore[method-assign]
    tray = Tray(controller)
    with caplog.at_level(logging.ERROR, logger="hotkeys.tray.menu"):
        item(tray.menu, "Copy API token")(None)
    assert "'token' failed" in caplog.text


def test_a_failing_status_query_shows_a_placeholder(
    tray: Tray, controller: FakeController, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> str:
        raise RuntimeError("boom")

    controller.status_line = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="hotkeys.tray.menu"):
        assert tray.menu.items[1].text == "status unavailable"
    assert "'status' failed" in caplog.text


class Forwarding:
    """Forwards to a controller that only exists later, as the desktop session's does."""

    def __init__(self) -> None:
        self.target: FakeController | None = None

    def __getattr__(self, name: str) -> Any:
        if self.target is None:
            return {"status_line": lambda: "starting", "paused": lambda: False}.get(
                name, lambda *args: [] if name.endswith(("models", "presets")) else ""
            )
        return getattr(self.target, name)


def test_the_menu_asks_a_controller_that_arrives_after_it_was_built(display: XTray) -> None:
    forwarding = Forwarding()
    tray = Tray(forwarding)  # type: ignore[arg-type]
    late = FakeController()
    forwarding.target = late
    item(tray.menu, "Copy API token")(None)
    item(tray.menu, "Open history")(None)
    speech = item(tray.menu, "Speech model").submenu
    item(speech, "base")(None)
    assert late.calls == [
        ("copy_token", None),
        ("open_history", None),
        ("choose_speech_model", "base"),
    ]
