"""Keystrokes through pynput: the keyboard backend for Windows and macOS."""

from __future__ import annotations

from typing import Any

from hotkeys.parse import Hotkey


class PynputKeyboard:
    """Keystrokes through pynput, for Windows and macOS (on X11 use XTestKeyboard)."""

    def __init__(self) -> None:
        self._controller: Any = None

    def _keyboard(self) -> Any:
        if self._controller is None:
            # Imported here: pynput.keyboard needs a display at import time.
            from pynput import keyboard

            self._controller = keyboard.Controller()
        return self._controller

    def is_available(self) -> bool:
        """Whether pynput can load a backend here."""
        try:
            self._keyboard()
        except Exception:  # pynput raises ImportError or platform errors alike
            return False
        return True

    def release_modifiers(self) -> None:
        """Release every modifier, held or not (a release of a key not down is harmless)."""
        from pynput.keyboard import Key

        controller = self._keyboard()
        for key in (Key.ctrl, Key.alt, Key.shift, Key.cmd, Key.alt_gr):
            controller.release(key)

    def send_chord(self, hotkey: Hotkey) -> None:
        """Hold the modifiers, tap the key, release."""
        from pynput.keyboard import Key, KeyCode

        controller = self._keyboard()
        self.release_modifiers()
        name = hotkey.key_name
        key = KeyCode.from_char(hotkey.key) if name is None else Key[name]
        held = ("ctrl", "alt", "alt_gr", "shift", "cmd")
        modifiers = [Key[m] for m in held if m in hotkey.modifiers]
        with controller.pressed(*modifiers):
            controller.tap(key)

    def type_text(self, text: str) -> None:
        """Type text (pynput sends Unicode directly on Windows and macOS)."""
        self.release_modifiers()
        self._keyboard().type(text)

    def focused_app(self) -> str | None:
        """Unknown on these platforms (TODO: GetForegroundWindow / NSWorkspace)."""
        return None

    def close(self) -> None:
        """Nothing to free."""
