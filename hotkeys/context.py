"""What the dictation and rewrite flows share: the daemon, the UI and the desktop backends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from daemon.client import NOT_RECORDED, NOT_RECORDED_NOTICE, DaemonAddress
from daemon.config import Settings
from hotkeys.clipboard import Clipboard
from hotkeys.inject import Injector
from hotkeys.keyboard import Keyboard
from hotkeys.ui import AgentUI

log = logging.getLogger(__name__)


@dataclass
class FlowContext:
    """Built by the agent once its backends are up; the flows only read it."""

    settings: Settings
    address: Callable[[], DaemonAddress]
    ui: AgentUI
    session: aiohttp.ClientSession
    keyboard: Keyboard
    clipboard: Clipboard
    injector: Injector
    # Ends the keyboard grab a held hotkey holds, so our own keystrokes reach the application.
    release_keyboard: Callable[[], None]

    async def async_focused_app(self) -> tuple[str | None, bool]:
        """The focused application, and whether hotkeys.exclude turns the hotkeys off there."""
        app = await asyncio.to_thread(self.keyboard.focused_app)
        exclude = [item.lower() for item in self.settings.hotkeys.exclude]
        if app and any(item in app.lower() for item in exclude):
            log.info("hotkeys do nothing in %s (hotkeys.exclude)", app)
            return app, True
        return app, False

    def fail(self, title: str, message: str) -> None:
        """Tell the user something went wrong and show the error state."""
        log.error("%s: %s", title, message)
        self.ui.notify(title, message)
        self.ui.set_state("error", message)

    def history_notice(self, recorded: str) -> None:
        """Warn when the daemon could not store a result in the history."""
        if recorded == NOT_RECORDED:
            self.ui.notify(*NOT_RECORDED_NOTICE)
