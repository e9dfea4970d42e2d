"""The clipboard and keyboard backends for this platform, imported only where they run.

python-xlib is only needed (and only installed) on X11 systems, ctypes' Win32
bindings only on Windows: each backend lives in its own module, loaded here.
"""

from __future__ import annotations

import os
import sys

from hotkeys.clipboard import Clipboard
from hotkeys.keyboard import Keyboard


def create_clipboard(display: str | None = None) -> Clipboard:
    """The clipboard backend for this platform (`display` is the X display on Linux)."""
    if sys.platform == "darwin":
        from hotkeys.mac import MacClipboard

        return MacClipboard()
    if sys.platform == "win32":
        from hotkeys.win32 import WindowsClipboard

        return WindowsClipboard()
    from hotkeys.x11.clipboard import X11Clipboard

    return X11Clipboard(display)


def create_keyboard(display: str | None = None) -> Keyboard:
    """The keyboard for this platform: XTEST on X11, pynput elsewhere."""
    if sys.platform in ("win32", "darwin"):
        from hotkeys.pynput_keyboard import PynputKeyboard

        return PynputKeyboard()
    from hotkeys.x11.keyboard import XTestKeyboard

    return XTestKeyboard(display if display is not None else os.environ.get("DISPLAY"))
