"""Which configured action a key press or release starts or ends.

Key names follow hotkeys.parse: a lower-case character ("d"), "<name>" for a
special key ("<space>", "<f9>"), and the bare modifier names ("ctrl", "alt",
"alt_gr", "shift", "cmd").
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any, Literal

from hotkeys.parse import MODIFIER_ORDER, Hotkey, HotkeyError, parse_hotkey

log = logging.getLogger(__name__)

PRESET_PREFIX = "preset:"
Edge = Literal["press", "release"]


def parse_bindings(actions: Mapping[str, str]) -> dict[str, Hotkey]:
    """Parse every action's hotkey; errors name the action and a clash is refused."""
    parsed: dict[str, Hotkey] = {}
    for action, spec in actions.items():
        if not spec:
            continue  # an empty string turns the action off
        try:
            hotkey = parse_hotkey(spec)
        except HotkeyError as error:
            raise HotkeyError(f"hotkeys.{action.removeprefix(PRESET_PREFIX)}: {error}") from None
        for other, existing in parsed.items():
            if existing == hotkey:
                raise HotkeyError(f"hotkeys: {action} and {other} both use '{hotkey}'")
        parsed[action] = hotkey
    return parsed


class Matcher:
    """Tracks held keys and reports actions whose hotkey became held or was let go."""

    def __init__(self, bindings: Mapping[str, Hotkey], loose: frozenset[str] = frozenset()) -> None:
        self._bindings = dict(bindings)
        # Loose actions fire with extra modifiers held (Esc cancels during push-to-talk).
        self._loose = loose
        self._down: set[str] = set()
        self._active: set[str] = set()

    def press(self, key: str) -> list[str]:
        """Actions whose hotkey is now complete (each fires once until released)."""
        if key in self._down:
            return []  # auto-repeat while held
        self._down.add(key)
        held = {k for k in self._down if k in MODIFIER_ORDER}
        fired = []
        for action, hotkey in self._bindings.items():
            if action in self._active or hotkey.key != key:
                continue
            if hotkey.modifiers == held or (action in self._loose and hotkey.modifiers <= held):
                self._active.add(action)
                fired.append(action)
        return fired

    def release(self, key: str) -> list[str]:
        """Actions whose hotkey stopped being held because `key` went up."""
        self._down.discard(key)
        ended = [
            action
            for action in self._active
            if key == self._bindings[action].key or key in self._bindings[action].modifiers
        ]
        self._active.difference_update(ended)
        return ended


def key_name(key: Any) -> str | None:
    """The parse-style name of a pynput key (already canonicalised by the listener)."""
    from pynput import keyboard

    if not isinstance(key, keyboard.Key):
        # canonical() turns some named keys (space, ...) back into plain key codes.
        vk = getattr(key, "vk", None)
        if vk is not None and not getattr(key, "char", None):
            key = next((m for m in keyboard.Key if getattr(m.value, "vk", None) == vk), key)
    if isinstance(key, keyboard.Key):
        name = str(key.name)
        for side in ("_l", "_r"):
            if name.endswith(side) and name[: -len(side)] in MODIFIER_ORDER:
                return name[: -len(side)]
        return name if name in MODIFIER_ORDER else f"<{name}>"
    char = getattr(key, "char", None)
    if char:
        return str(char).lower()
    return None


Handler = Callable[[str, Edge], None]


class HotkeyListener:
    """A pynput listener thread that hands (action, edge) to `handler`; it never blocks."""

    def __init__(self, bindings: Mapping[str, Hotkey], handler: Handler) -> None:
        self._matcher = Matcher(bindings, loose=frozenset({"cancel"}))
        self._handler = handler
        self._listener: Any = None

    def start(self) -> None:
        """Start listening (needs a display on X11)."""
        from pynput import keyboard

        def on_press(key: Any) -> None:
            self._dispatch(key, "press")

        def on_release(key: Any) -> None:
            self._dispatch(key, "release")

        self._listener = keyboard.Listener(on_press=on_press, on_release=on_release)
        self._listener.start()
        self._listener.wait()

    def _dispatch(self, key: Any, edge: Edge) -> None:
        name = key_name(self._listener.canonical(key)) if key is not None else None
        if name is None:
            return
        actions = self._matcher.press(name) if edge == "press" else self._matcher.release(name)
        for action in actions:
            try:
                self._handler(action, edge)
            except Exception:  # a listener thread that dies silently stops every hotkey
                log.exception("hotkey handler failed")

    def stop(self) -> None:
        """Stop the listener thread."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.stop()
        # pynput on X11 queues the request that ends recording without flushing
        # it, so the thread waits for the next key: send the request now.
        display = getattr(listener, "_display_stop", None)
        context = getattr(listener, "_context", None)
        if display is not None and context is not None:
            with contextlib.suppress(Exception):
                display.record_disable_context(context)
                display.flush()
        listener.join(timeout=2)
