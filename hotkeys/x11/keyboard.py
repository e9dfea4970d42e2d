"""Synthetic keystrokes through the XTEST extension, which every X client accepts.

XSendEvent events carry a "synthetic" flag that xterm and others ignore, so
nothing here uses it. Characters missing from the keymap get a spare keycode,
kept until close() so that a client still reading an earlier keystroke never
sees that keycode change meaning under it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from Xlib import XK, X
from Xlib import error as xerror
from Xlib.display import Display
from Xlib.ext import xtest

from hotkeys.errors import InjectionError
from hotkeys.parse import Hotkey
from hotkeys.x11.connection import DisplayError, focused_app_class, open_display

logger = logging.getLogger(__name__)

_MODIFIER_KEYSYMS: dict[str, tuple[str, ...]] = {
    "ctrl": ("Control_L", "Control_R"),
    "shift": ("Shift_L", "Shift_R"),
    "alt": ("Alt_L", "Alt_R", "Meta_L"),
    "alt_gr": ("ISO_Level3_Shift", "Mode_switch"),
    "cmd": ("Super_L", "Super_R"),
}
_SPECIAL_KEYSYMS: dict[str, str] = {
    "backspace": "BackSpace",
    "caps_lock": "Caps_Lock",
    "delete": "Delete",
    "down": "Down",
    "end": "End",
    "enter": "Return",
    "esc": "Escape",
    "home": "Home",
    "insert": "Insert",
    "left": "Left",
    "media_next": "XF86AudioNext",
    "media_play_pause": "XF86AudioPlay",
    "media_previous": "XF86AudioPrev",
    "media_volume_down": "XF86AudioLowerVolume",
    "media_volume_mute": "XF86AudioMute",
    "media_volume_up": "XF86AudioRaiseVolume",
    "menu": "Menu",
    "num_lock": "Num_Lock",
    "page_down": "Next",
    "page_up": "Prior",
    "pause": "Pause",
    "print_screen": "Print",
    "right": "Right",
    "scroll_lock": "Scroll_Lock",
    "space": "space",
    "tab": "Tab",
    "up": "Up",
    **{f"f{n}": f"F{n}" for n in range(1, 21)},
}


def char_keysym(char: str) -> int:
    """The X keysym that types `char` (Latin-1 keysyms, else Unicode keysyms)."""
    if char in "\r\n":
        return XK.string_to_keysym("Return")
    if char == "\t":
        return XK.string_to_keysym("Tab")
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    if code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF:
        raise InjectionError(f"cannot type the control character U+{code:04X}")
    return 0x01000000 | code


def hotkey_keysym(hotkey: Hotkey) -> int:
    """The keysym of a hotkey's (non-modifier) key."""
    name = hotkey.key_name
    if name is None:
        return char_keysym(hotkey.key)
    if name.isdigit():
        return int(name)  # pynput's "<NNN>" is a virtual key code: a keysym on X11
    return _named_keysym(_SPECIAL_KEYSYMS[name])


def _named_keysym(name: str) -> int:
    keysym = XK.string_to_keysym(name)
    if keysym == X.NoSymbol:
        raise InjectionError(f"X11 has no key named {name!r}")
    return keysym


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class _Keymap:
    keys: dict[int, tuple[int, int]]  # keysym -> (keycode, level 0 or 1)
    empty: list[int]  # keycodes without any keysym
    per_keycode: int


class XTestKeyboard:
    """Types text and sends shortcuts on an X display through XTEST."""

    def __init__(self, display: str | None = None, *, char_delay: float = 0.004) -> None:
        # A small pause between characters keeps input methods (IBus) from reordering them.
        self._display_name = display
        self._char_delay = char_delay
        self._lock = threading.Lock()
        self._display: Display | None = None
        # keysym -> spare keycode we mapped it to, least recently used first
        self._borrowed: dict[int, int] = {}

    def is_available(self) -> bool:
        """Whether the display answers and offers XTEST."""
        try:
            with self._lock:
                self._connect()
        except DisplayError:
            return False
        return True

    @contextlib.contextmanager
    def _session(self) -> Iterator[Display]:
        """The connection, under the lock; a lost connection becomes an InjectionError."""
        with self._lock:
            try:
                yield self._connect()
            except DisplayError as exc:
                raise InjectionError(str(exc)) from exc
            except (xerror.ConnectionClosedError, OSError) as exc:
                lost, self._display = self._display, None
                self._borrowed.clear()  # the server (and its keymap) may be gone
                if lost is not None:
                    with contextlib.suppress(xerror.ConnectionClosedError, OSError):
                        lost.close()
                raise InjectionError("the connection to the X display was lost") from exc

    def _connect(self) -> Display:
        if self._display is None:
            display = open_display(self._display_name)
            if not display.has_extension("XTEST"):
                display.close()
                raise DisplayError("the X server lacks the XTEST extension")
            self._display = display
        return self._display

    def close(self) -> None:
        """Give borrowed keycodes back to the keymap and disconnect."""
        with self._lock:
            if self._display is None:
                return
            display, self._display = self._display, None
            try:
                self._unmap_borrowed(display)
                display.sync()
            finally:
                display.close()

    def __enter__(self) -> XTestKeyboard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Keymap -----------------------------------------------------------------

    def _keymap(self, display: Display) -> _Keymap:
        """The server's keymap now (read each time: the user may switch layouts)."""
        first = display.display.info.min_keycode
        count = display.display.info.max_keycode - first + 1
        rows = display.get_keyboard_mapping(first, count)
        keymap = _Keymap({}, [], len(rows[0]) if rows else 2)
        for offset, row in enumerate(rows):
            keycode = first + offset
            if not any(row):
                keymap.empty.append(keycode)
                continue
            # Only the first group's two levels are reachable with Shift alone.
            for level in (0, 1):
                keysym = row[level] if level < len(row) else X.NoSymbol
                known = keymap.keys.get(keysym)
                if keysym != X.NoSymbol and (known is None or known[1] > level):
                    keymap.keys[keysym] = (keycode, level)
        return keymap

    def _unmap_borrowed(self, display: Display) -> None:
        if not self._borrowed:
            return
        blank = [X.NoSymbol] * self._keymap(display).per_keycode
        for keycode in self._borrowed.values():
            display.change_keyboard_mapping(keycode, [blank])
        self._borrowed.clear()

    def _resolve(
        self, display: Display, keymap: _Keymap, keysyms: Iterable[int]
    ) -> dict[int, tuple[int, int]]:
        """Keycode and level for each keysym, borrowing spare keycodes for missing ones."""
        wanted = list(dict.fromkeys(keysyms))
        for keysym in wanted:
            if keysym in self._borrowed:  # most recently used last
                self._borrowed[keysym] = self._borrowed.pop(keysym)
        missing = [k for k in wanted if k not in keymap.keys]
        recyclable = [k for k in self._borrowed if k not in wanted]
        if len(missing) > len(keymap.empty) + len(recyclable):
            raise InjectionError(
                f"the text needs {len(missing)} characters that the keyboard layout lacks, "
                f"more than the {len(keymap.empty) + len(recyclable)} free keycodes"
            )
        for keysym in missing:
            if keymap.empty:
                keycode = keymap.empty.pop()  # high free keycodes are the least likely real keys
            else:
                keycode = self._borrowed.pop(recyclable.pop(0))
            # Both levels carry the keysym, so Shift or Caps Lock cannot change it.
            row = [keysym, keysym] + [X.NoSymbol] * (keymap.per_keycode - 2)
            display.change_keyboard_mapping(keycode, [row])
            self._borrowed[keysym] = keycode
            keymap.keys[keysym] = (keycode, 0)
            logger.debug("mapped keysym 0x%x to spare keycode %d", keysym, keycode)
        return {k: keymap.keys[k] for k in wanted}

    @staticmethod
    def _keycode_for_names(keymap: _Keymap, names: Iterable[str]) -> int:
        for name in names:
            found = keymap.keys.get(_named_keysym(name))
            if found is not None:
                return found[0]
        raise InjectionError(f"the keyboard layout has no {' or '.join(names)} key")

    # Actions ----------------------------------------------------------------

    def _fake(self, display: Display, keycode: int, press: bool) -> None:
        xtest.fake_input(display, X.KeyPress if press else X.KeyRelease, keycode)

    def release_modifiers(self) -> None:
        """Release every key still down (e.g. the hotkey the user still holds)."""
        with self._session() as display:
            self._release_modifiers(display)
            display.sync()

    def _release_modifiers(self, display: Display) -> None:
        # Every key, not only modifiers: a held hotkey key would auto-repeat, and each
        # repeat re-activates its passive grab, which swallows the keys we send next.
        down = display.query_keymap()
        for keycode in range(
            display.display.info.min_keycode, display.display.info.max_keycode + 1
        ):
            if down[keycode // 8] & (1 << (keycode % 8)):
                self._fake(display, keycode, press=False)

    def send_chord(self, hotkey: Hotkey) -> None:
        """Press the modifiers, tap the key, release the modifiers (e.g. Ctrl+V)."""
        with self._session() as display:
            self._release_modifiers(display)
            keymap = self._keymap(display)
            modifiers = [
                self._keycode_for_names(keymap, _MODIFIER_KEYSYMS[m])
                for m in ("ctrl", "alt", "alt_gr", "shift", "cmd")
                if m in hotkey.modifiers
            ]
            keysym = self._hotkey_keysym(hotkey)
            keycode, level = self._resolve(display, keymap, [keysym])[keysym]
            if level == 1 and "shift" not in hotkey.modifiers:
                modifiers.append(self._keycode_for_names(keymap, _MODIFIER_KEYSYMS["shift"]))
            for modifier in modifiers:
                self._fake(display, modifier, press=True)
            self._fake(display, keycode, press=True)
            self._fake(display, keycode, press=False)
            for modifier in reversed(modifiers):
                self._fake(display, modifier, press=False)
            display.sync()

    @staticmethod
    def _hotkey_keysym(hotkey: Hotkey) -> int:
        return hotkey_keysym(hotkey)

    def focused_app(self) -> str | None:
        """The focused window's WM_CLASS class ("XTerm", "Tk"), if known."""
        with self._session() as display:
            return focused_app_class(display)

    def type_text(self, text: str) -> None:
        """Type `text` exactly, whatever the keyboard layout (newlines press Return)."""
        text = _normalise_newlines(text)
        keysyms = [char_keysym(char) for char in text]
        with self._session() as display:
            self._release_modifiers(display)
            keymap = self._keymap(display)
            keys = self._resolve(display, keymap, keysyms)
            shift = self._keycode_for_names(keymap, _MODIFIER_KEYSYMS["shift"])
            caps_lock = bool(display.screen().root.query_pointer().mask & X.LockMask)
            for index, (char, keysym) in enumerate(zip(text, keysyms, strict=True)):
                keycode, level = keys[keysym]
                # Caps Lock swaps the case of letters on real keys; Shift swaps it back.
                flip = caps_lock and char.lower() != char.upper() and keysym not in self._borrowed
                use_shift = (level == 1) != flip
                if use_shift:
                    self._fake(display, shift, press=True)
                self._fake(display, keycode, press=True)
                self._fake(display, keycode, press=False)
                if use_shift:
                    self._fake(display, shift, press=False)
                if self._char_delay and index + 1 < len(keysyms):
                    display.flush()
                    time.sleep(self._char_delay)
            display.sync()
