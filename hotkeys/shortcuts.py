"""Each application's copy and paste shortcuts, and which applications are terminals."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from hotkeys.parse import Hotkey, parse_hotkey

# Applications whose paste shortcut is not Ctrl+V (lower-case X11 WM_CLASS class).
# None: no default key pastes the CLIPBOARD (xterm's Shift+Insert pastes PRIMARY).
TERMINAL_SHORTCUTS: Mapping[str, tuple[str, str] | None] = {
    **dict.fromkeys(("xterm", "uxterm", "urxvt", "rxvt", "st", "st-256color"), None),
    **dict.fromkeys(
        (
            "gnome-terminal",
            "gnome-terminal-server",
            "konsole",
            "xfce4-terminal",
            "mate-terminal",
            "tilix",
            "terminator",
            "alacritty",
            "kitty",
            "org.wezfurlong.wezterm",
            "lxterminal",
            "qterminal",
            "terminology",
            "ptyxis",
            "ghostty",
            "com.mitchellh.ghostty",
        ),
        ("<ctrl>+<shift>+c", "<ctrl>+<shift>+v"),
    ),
}


def _shortcuts(app: str | None, platform: str) -> tuple[str, str] | None:
    if platform == "darwin":
        return "<cmd>+c", "<cmd>+v"
    if app is not None and app.lower() in TERMINAL_SHORTCUTS:
        return TERMINAL_SHORTCUTS[app.lower()]
    return "<ctrl>+c", "<ctrl>+v"


def paste_shortcut_for(app: str | None, platform: str = sys.platform) -> Hotkey | None:
    """The shortcut that pastes the clipboard in `app`; None when it has none."""
    keys = _shortcuts(app, platform)
    return None if keys is None else parse_hotkey(keys[1])


def copy_shortcut_for(app: str | None, platform: str = sys.platform) -> Hotkey | None:
    """The shortcut that copies the selection in `app`; None where it does harm (^C in xterm)."""
    keys = _shortcuts(app, platform)
    return None if keys is None else parse_hotkey(keys[0])


def is_terminal(app: str | None) -> bool:
    """Whether `app` (an X11 WM_CLASS class) is a terminal, where typing cannot replace a selection."""
    return app is not None and app.lower() in TERMINAL_SHORTCUTS
