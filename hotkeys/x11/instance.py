"""One agent per X display: an X selection that only one Sottovoce agent owns.

An X selection belongs to the display itself, whatever $DISPLAY spelling,
SOTTOVOCE_HOME or user config each agent has, and the server frees it when its
owner's connection ends (even after a crash): no stale lock file to clean up.
Checking and taking it happen under a server grab, so two agents starting at
the same moment cannot both win.
"""

from __future__ import annotations

import logging
import os

from Xlib import X, Xatom
from Xlib import error as xerror
from Xlib.display import Display

from hotkeys.errors import AgentRunningError
from hotkeys.x11.connection import open_display

log = logging.getLogger(__name__)

_PID = "_SOTTOVOCE_AGENT_PID"


def _selection(display: Display) -> int:
    # The ICCCM manager naming: one selection per screen (S0, S1, ...).
    return display.intern_atom(f"_SOTTOVOCE_AGENT_S{display.get_default_screen()}")


def _owner_pid(display: Display, owner: int) -> int | None:
    window = display.create_resource_object("window", owner)
    try:
        prop = window.get_full_property(display.intern_atom(_PID), Xatom.CARDINAL)
    except xerror.XError:
        return None
    return int(prop.value[0]) if prop is not None and len(prop.value) else None


def running_agent(display_name: str | None) -> int | None:
    """The pid of the agent serving this display (0 when it is not known), or None."""
    display = open_display(display_name)
    try:
        owner = display.get_selection_owner(_selection(display))
        owner_id = int(getattr(owner, "id", owner))
        if not owner_id:
            return None
        return _owner_pid(display, owner_id) or 0
    finally:
        display.close()


class AgentLock:
    """Held for the agent's lifetime: a second agent on the same display is refused."""

    def __init__(self, display_name: str | None) -> None:
        self._display = open_display(display_name)
        try:
            self._take(display_name)
        except BaseException:
            self._display.close()
            raise

    def _take(self, display_name: str | None) -> None:
        display = self._display
        screen = display.screen()
        window = screen.root.create_window(-10, -10, 1, 1, 0, screen.root_depth)
        window.change_property(display.intern_atom(_PID), Xatom.CARDINAL, 32, [os.getpid()])
        selection = _selection(display)
        display.grab_server()
        try:
            owner = display.get_selection_owner(selection)
            owner_id = int(getattr(owner, "id", owner))
            if owner_id:
                pid = _owner_pid(display, owner_id)
                who = f" (process {pid})" if pid else ""
                raise AgentRunningError(
                    f"another Sottovoce agent{who} already serves the hotkeys on display "
                    f"{display_name or os.environ.get('DISPLAY', '')}; this one does not start "
                    "its hotkeys (quit the other one first)"
                )
            window.set_selection_owner(selection, X.CurrentTime)
        finally:
            display.ungrab_server()
            display.sync()

    def release(self) -> None:
        """Let another agent start (closing the connection frees the selection)."""
        self._display.close()
