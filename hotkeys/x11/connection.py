"""Opening an X display and asking it which application has the keyboard focus."""

from __future__ import annotations

import logging
from typing import Any

from Xlib import X
from Xlib import error as xerror
from Xlib.display import Display
from Xlib.xobject.drawable import Window

from daemon.errors import SottovoceError

logger = logging.getLogger(__name__)


class DisplayError(SottovoceError):
    """The X display cannot be reached or lacks a needed extension."""


def _log_x_error(error: Any, request: Any) -> None:
    # Errors here are asynchronous (a requestor window that vanished mid-transfer);
    # python-xlib's default handler would print them to stderr.
    logger.debug("X error ignored: %s", error)


def open_display(name: str | None = None) -> Display:
    """Connect to the X server `name` (default: $DISPLAY)."""
    try:
        display = Display(name)
    except (xerror.DisplayError, xerror.XError, OSError) as exc:
        raise DisplayError(f"cannot connect to the X display {name or '$DISPLAY'}") from exc
    display.set_error_handler(_log_x_error)
    return display


def display_reachable(name: str | None = None) -> bool:
    """Whether an X server answers at `name` (default: $DISPLAY)."""
    try:
        open_display(name).close()
    except DisplayError:
        return False
    return True


def client_of(display: Display, window_id: int) -> int:
    """The X client (connection) that created a window: its resource-id base."""
    return window_id & ~int(display.display.info.resource_id_mask)


def focused_window(display: Display) -> Window | None:
    """The window holding the keyboard focus; None when focus follows the pointer."""
    focus = display.get_input_focus().focus
    if isinstance(focus, Window) and focus.id not in (X.NONE, X.PointerRoot):
        return focus
    return None


def _has_wm_state(display: Display, window: Window) -> bool:
    wm_state = display.intern_atom("WM_STATE")
    try:
        return window.get_full_property(wm_state, X.AnyPropertyType) is not None
    except xerror.XError:
        return False


def _app_windows(display: Display, focus: Window) -> list[Window]:
    """The focus window, its ancestors, and client windows just below it (WM frames)."""
    windows = [focus]
    root = display.screen().root.id
    window = focus
    try:
        while True:
            parent = window.query_tree().parent
            if isinstance(parent, int) or parent.id in (X.NONE, root):
                break
            windows.append(parent)
            window = parent
        # A reparenting window manager may focus its frame; the client sits below it.
        below = list(focus.query_tree().children)
        for child in below[:16]:
            below.extend(child.query_tree().children)
        windows.extend(w for w in below if _has_wm_state(display, w))
    except xerror.XError:
        logger.debug("focus window tree changed while walking it")
    return windows


def focused_clients(display: Display) -> frozenset[int] | None:
    """Client ids of the focused application's windows; None when unknown."""
    focus = focused_window(display)
    if focus is None:
        return None
    return frozenset(client_of(display, w.id) for w in _app_windows(display, focus))


def focused_app_class(display: Display) -> str | None:
    """The WM_CLASS class name of the focused application ("XTerm", "Firefox"), if any."""
    focus = focused_window(display)
    if focus is None:
        return None
    for window in _app_windows(display, focus):
        try:
            wm_class = window.get_wm_class()
        except xerror.XError:
            continue
        if wm_class:
            return wm_class[1]
    return None


def atom_name(display: Display, atom: int) -> str:
    """An atom's name, or "" for None/unknown atoms."""
    if atom == X.NONE:
        return ""
    try:
        return display.get_atom_name(atom)
    except xerror.XError:
        return ""


__all__ = [
    "DisplayError",
    "atom_name",
    "client_of",
    "display_reachable",
    "focused_app_class",
    "focused_clients",
    "focused_window",
    "open_display",
]
