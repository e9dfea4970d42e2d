"""The tray menu, built with pystray.Menu / MenuItem over a TrayController."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from hotkeys.tray.model import TrayController

log = logging.getLogger(__name__)

# pystray's item and menu objects are untyped.
Item = Any
Action = Callable[[Any, Any], None]


def _guarded(name: str, call: Callable[[], object]) -> Action:
    """A menu action that logs a controller failure instead of raising it.

    An exception escaping an action ends pystray's xorg event loop, and with
    it the tray: a broken menu entry must not take the icon down.
    """

    def action(icon: Any, item: Any) -> None:
        try:
            call()
        except Exception:
            log.exception("tray menu action %r failed", name)

    return action


def _query(name: str, call: Callable[[], str], fallback: str) -> str:
    try:
        return call()
    except Exception:
        log.exception("tray menu query %r failed", name)
        return fallback


def _flag(name: str, call: Callable[[], bool]) -> bool:
    try:
        return bool(call())
    except Exception:
        log.exception("tray menu query %r failed", name)
        return False


def _names(name: str, call: Callable[[], list[str]]) -> list[str]:
    try:
        return list(call())
    except Exception:
        log.exception("tray menu query %r failed", name)
        return []


def _late(controller: TrayController, name: str) -> Callable[..., Any]:
    """`controller.name`, looked up when called rather than when the menu is built.

    The tray (and its menu) exists before the event loop has made the real
    controller; a method taken at build time would stay the placeholder's.
    """

    def call(*args: Any) -> Any:
        return getattr(controller, name)(*args)

    return call


def _choice_menu(
    pystray: ModuleType,
    label: str,
    names: Callable[[], list[str]],
    current: Callable[[], str],
    choose: Callable[[str], None],
) -> Item:
    """A submenu of radio items, listed afresh each time the menu is built."""

    def radio(name: str) -> Item:
        return pystray.MenuItem(
            name,
            _guarded(f"{label}: {name}", lambda: choose(name)),
            checked=lambda item: _query(label, current, "") == name,
            radio=True,
        )

    def items() -> tuple[Item, ...]:
        listed = _names(label, names)
        if not listed:
            return (pystray.MenuItem("(none installed)", None, enabled=False),)
        return tuple(radio(name) for name in listed)

    return pystray.MenuItem(label, pystray.Menu(items))


def build_menu(
    pystray: ModuleType,
    controller: TrayController,
    state_line: Callable[[], str],
    on_quit: Callable[[], None],
) -> Any:
    """The tray's pystray.Menu; `state_line` gives the first (disabled) item's text."""

    def toggle_pause() -> None:
        controller.set_paused(not controller.paused())

    def pause_text(item: Any) -> str:
        return "Resume hotkeys" if _flag("paused", _late(controller, "paused")) else "Pause hotkeys"

    def quit_daemon() -> None:
        try:
            controller.quit()
        finally:
            on_quit()

    separator = pystray.Menu.SEPARATOR
    return pystray.Menu(
        pystray.MenuItem(lambda item: state_line(), None, enabled=False),
        pystray.MenuItem(
            lambda item: _query("status", _late(controller, "status_line"), "status unavailable"),
            None,
            enabled=False,
        ),
        separator,
        pystray.MenuItem(pause_text, _guarded("pause", toggle_pause)),
        _choice_menu(
            pystray,
            "Speech model",
            _late(controller, "speech_models"),
            _late(controller, "current_speech_model"),
            _late(controller, "choose_speech_model"),
        ),
        _choice_menu(
            pystray,
            "Language model",
            _late(controller, "llm_models"),
            _late(controller, "current_llm_model"),
            _late(controller, "choose_llm_model"),
        ),
        _choice_menu(
            pystray,
            "Rewrite preset",
            _late(controller, "presets"),
            _late(controller, "default_preset"),
            _late(controller, "choose_preset"),
        ),
        separator,
        # The default item is what a left click runs; on the xorg backend,
        # which cannot pop a menu up, it is the only entry a user can reach.
        pystray.MenuItem(
            "Open history", _guarded("history", _late(controller, "open_history")), default=True
        ),
        pystray.MenuItem("Copy API token", _guarded("token", _late(controller, "copy_token"))),
        pystray.MenuItem(
            "Privacy report", _guarded("privacy", _late(controller, "privacy_report"))
        ),
        separator,
        pystray.MenuItem("Quit", _guarded("quit", quit_daemon)),
    )
