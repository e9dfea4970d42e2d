"""The keyboard interface: synthetic keystrokes, implemented once per platform backend."""

from __future__ import annotations

from typing import Protocol

from hotkeys.parse import Hotkey


class Keyboard(Protocol):
    """Synthetic keystrokes that reach every application on this platform."""

    def is_available(self) -> bool:
        """Whether keystrokes can be sent here."""

    def release_modifiers(self) -> None:
        """Release keys still held (the hotkey that started us), so none modifies what we send."""

    def send_chord(self, hotkey: Hotkey) -> None:
        """Send one shortcut such as Ctrl+V, with its modifiers really held."""

    def type_text(self, text: str) -> None:
        """Type `text` exactly."""

    def focused_app(self) -> str | None:
        """The focused application's class name where the platform tells ("XTerm")."""

    def close(self) -> None:
        """Free what the keyboard holds."""
