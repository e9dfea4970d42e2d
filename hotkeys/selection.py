"""Reading the text the user selected in any application, and replacing it."""

from __future__ import annotations

import logging
import uuid

from hotkeys.clipboard import Clipboard
from hotkeys.inject import InjectionResult, Injector
from hotkeys.keyboard import Keyboard
from hotkeys.parse import Hotkey, parse_hotkey
from hotkeys.shortcuts import copy_shortcut_for

logger = logging.getLogger(__name__)


def capture_selection(
    clipboard: Clipboard,
    keyboard: Keyboard,
    *,
    copy_shortcut: Hotkey | None = None,
    timeout: float = 0.5,
) -> str | None:
    """The focused application's selected text, or None; the user's clipboard is left as it was.

    Copies with the application's copy shortcut into a clipboard holding a
    unique sentinel: if the sentinel is still there after `timeout` seconds,
    nothing was selected, and on X11 the PRIMARY selection is used when the
    focused application owns it. Applications where a copy shortcut would do
    harm (Ctrl+C in xterm interrupts the program) are read through PRIMARY only.
    """
    shortcut = copy_shortcut or copy_shortcut_for(keyboard.focused_app())
    if shortcut is None:
        return clipboard.read_primary() or None
    previous = clipboard.read()
    sentinel = f"sottovoce-selection-probe-{uuid.uuid4().hex}"
    ticket = clipboard.write_text(sentinel, transient=True)
    try:
        keyboard.send_chord(shortcut)
        if clipboard.wait_until_replaced(ticket, timeout):
            text = clipboard.read_text()
        else:
            logger.debug("the copy shortcut copied nothing; trying PRIMARY")
            text = clipboard.read_primary()
    finally:
        clipboard.restore(previous)
    return text if text and text != sentinel else None


DELETE = parse_hotkey("<delete>")


def replace_selection(text: str, injector: Injector, keyboard: Keyboard) -> InjectionResult:
    """Put `text` in place of the still-active selection, typed or pasted as `injector` does.

    The selection is deleted first: typing over a selection replaces it
    everywhere, but a paste in Tk on X11 inserts beside it.
    """
    keyboard.send_chord(DELETE)
    return injector.inject(text)
