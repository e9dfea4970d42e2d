"""How the agent shows what it does: tray icon and notifications, or the log."""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from hotkeys.notify import Notices

log = logging.getLogger(__name__)

AgentState = Literal["idle", "listening", "working", "paused", "error"]


class AgentUI(Protocol):
    """Implemented by the tray; every method must return at once."""

    def set_state(self, state: AgentState, detail: str = "") -> None:
        """Show the agent's state (icon, tooltip)."""

    def notify(self, title: str, message: str) -> None:
        """Tell the user something (a desktop notification)."""


class LogUI:
    """The UI without a tray: states go to the log, notices to the log and to `notices`."""

    def __init__(self, notices: Notices | None = None) -> None:
        self.state: AgentState = "idle"
        self._notices = notices

    def set_state(self, state: AgentState, detail: str = "") -> None:
        if state != self.state:
            log.info("agent %s%s", state, f": {detail}" if detail else "")
        self.state = state

    def notify(self, title: str, message: str) -> None:
        # Only the title: a message may quote the user's text, which never goes to the logs.
        log.warning("notification: %s", title)
        if self._notices is not None:
            self._notices.notify(title, message)
