"""What the tray shows (its states) and what its menu asks of the daemon (the controller)."""

from __future__ import annotations

import enum
from typing import Protocol

from daemon.errors import SottovoceError


class TrayError(SottovoceError):
    """No system tray can be shown (no display, or no pystray backend starts)."""


class TrayState(enum.Enum):
    """The daemon's state as the tray icon shows it."""

    IDLE = "idle"
    LISTENING = "listening"
    WORKING = "working"
    PAUSED = "paused"
    ERROR = "error"

    @property
    def label(self) -> str:
        """Short human name, as shown in the tooltip and the menu."""
        return self.value.capitalize()


class TrayController(Protocol):
    """What the menu needs from the daemon.

    pystray calls these on its own thread: each must return at once, handing
    any real work to the event loop (`run_coroutine_threadsafe` /
    `call_soon_threadsafe`) and answering queries from cached values.
    """

    def status_line(self) -> str:
        """One line for the menu's status item (models, device)."""
        ...

    def paused(self) -> bool:
        """Whether the hotkeys are paused."""
        ...

    def set_paused(self, paused: bool) -> None:
        """Pause or resume the hotkeys."""
        ...

    def speech_models(self) -> list[str]:
        """Names of the installed speech models."""
        ...

    def llm_models(self) -> list[str]:
        """Names of the installed language models."""
        ...

    def current_speech_model(self) -> str:
        """Name of the speech model in use."""
        ...

    def current_llm_model(self) -> str:
        """Name of the language model in use."""
        ...

    def choose_speech_model(self, name: str) -> None:
        """Switch to another speech model."""
        ...

    def choose_llm_model(self, name: str) -> None:
        """Switch to another language model."""
        ...

    def presets(self) -> list[str]:
        """Names of the rewrite presets."""
        ...

    def default_preset(self) -> str:
        """Name of the default rewrite preset."""
        ...

    def choose_preset(self, name: str) -> None:
        """Make a preset the default."""
        ...

    def open_history(self) -> None:
        """Show the history to the user."""
        ...

    def copy_token(self) -> None:
        """Put the API token on the clipboard."""
        ...

    def privacy_report(self) -> None:
        """Show what the daemon stores and where, and that nothing leaves the machine."""
        ...

    def quit(self) -> None:
        """Shut the daemon down."""
        ...
