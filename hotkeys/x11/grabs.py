"""Passive key grabs: the hotkey's own key presses never reach the focused application.

pynput's X11 listener only watches (XRecord), so holding Ctrl+Alt+Space would
also send auto-repeated Ctrl+Alt+Space to the focused terminal. Grabbing the
combinations on the root window keeps them away from applications (the listener
still sees them), and a grab another program already holds is reported.

A passive grab turns into an active grab of the whole keyboard while the key is
held: then every key event, the agent's own synthetic Ctrl+C included, goes to
us instead of the application. `release_keyboard()` ends that active grab (the
passive grab stays) before the agent sends keys of its own.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Mapping

from Xlib import X
from Xlib import error as xerror

from hotkeys.parse import Hotkey
from hotkeys.x11.connection import open_display
from hotkeys.x11.keyboard import hotkey_keysym

log = logging.getLogger(__name__)

_MASKS = {
    "ctrl": X.ControlMask,
    "shift": X.ShiftMask,
    "alt": X.Mod1Mask,
    "cmd": X.Mod4Mask,
    "alt_gr": X.Mod5Mask,
}
# Caps Lock and Num Lock change the modifier state: grab with and without them.
_LOCKS = (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)


class KeyGrabs:
    """Holds root-window grabs for some hotkeys until `release()`; safe from any thread."""

    def __init__(self, display_name: str | None, hotkeys: Mapping[str, Hotkey]) -> None:
        self._display = open_display(display_name)
        # python-xlib connections are not meant for concurrent use: one lock for every call.
        self._lock = threading.Lock()
        self.conflicts: list[str] = []
        for action, hotkey in hotkeys.items():
            conflict = self.grab(action, hotkey)
            if conflict:
                self.conflicts.append(conflict)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="x11-key-grabs", daemon=True)
        self._thread.start()

    def _masks(self, hotkey: Hotkey, any_modifier: bool) -> list[int]:
        if any_modifier:
            return [X.AnyModifier]
        mask = 0
        for modifier in hotkey.modifiers:
            mask |= _MASKS[modifier]
        return [mask | lock for lock in _LOCKS]

    def grab(self, action: str, hotkey: Hotkey, *, any_modifier: bool = False) -> str | None:
        """Grab one hotkey (with any modifiers held, if asked); the conflict's wording, if any."""
        with self._lock:
            keycode = self._display.keysym_to_keycode(hotkey_keysym(hotkey))
            if not keycode:
                log.warning("hotkey %s (%s): no such key on this keyboard", hotkey, action)
                return None
            catcher = xerror.CatchError(xerror.BadAccess)
            root = self._display.screen().root
            for mask in self._masks(hotkey, any_modifier):
                root.grab_key(
                    keycode, mask, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher
                )
            self._display.sync()
            if catcher.get_error():
                return f"{action} ({hotkey}) is already taken by another program"
            return None

    def ungrab(self, hotkey: Hotkey, *, any_modifier: bool = False) -> None:
        """Give one hotkey's grab back."""
        with self._lock:
            keycode = self._display.keysym_to_keycode(hotkey_keysym(hotkey))
            if not keycode:
                return
            root = self._display.screen().root
            for mask in self._masks(hotkey, any_modifier):
                root.ungrab_key(keycode, mask)
            self._display.sync()

    def release_keyboard(self) -> None:
        """End the active grab a held hotkey started, so keys we send reach the application."""
        with self._lock:
            self._display.ungrab_keyboard(X.CurrentTime)
            self._display.sync()

    def _drain(self) -> None:
        # Grabbed key events arrive on this connection; read them so they never pile up.
        try:
            while not self._stopped.is_set():
                with self._lock:
                    for _ in itertools.repeat(None, self._display.pending_events()):
                        self._display.next_event()
                self._stopped.wait(0.05)
        except (xerror.ConnectionClosedError, OSError):
            log.info("the X server closed; hotkey grabs ended")

    def release(self) -> None:
        """Give every grab back."""
        self._stopped.set()
        self._thread.join(timeout=2)
        with self._lock:
            self._display.screen().root.ungrab_key(X.AnyKey, X.AnyModifier)
            self._display.close()
