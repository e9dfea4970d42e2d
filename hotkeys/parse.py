"""Hotkey strings in pynput's syntax ("<ctrl>+<alt>+d", "<f9>"), checked and normalised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from daemon.errors import SottovoceError

# pynput's own modifier names; sided variants fold into them because pynput's
# listener canonicalises ctrl_l/ctrl_r to ctrl, so a sided hotkey would never fire.
_MODIFIERS: dict[str, str] = {
    "alt": "alt",
    "alt_l": "alt",
    "alt_r": "alt",
    "alt_gr": "alt_gr",
    "cmd": "cmd",
    "cmd_l": "cmd",
    "cmd_r": "cmd",
    "ctrl": "ctrl",
    "ctrl_l": "ctrl",
    "ctrl_r": "ctrl",
    "shift": "shift",
    "shift_l": "shift",
    "shift_r": "shift",
}
MODIFIER_ORDER: tuple[str, ...] = ("ctrl", "alt", "alt_gr", "shift", "cmd")

# The members of pynput.keyboard.Key common to every platform. Kept here because
# importing pynput.keyboard needs a display, and config must validate without one.
SPECIAL_KEYS: frozenset[str] = frozenset(
    {
        "backspace",
        "caps_lock",
        "delete",
        "down",
        "end",
        "enter",
        "esc",
        "home",
        "insert",
        "left",
        "media_next",
        "media_play_pause",
        "media_previous",
        "media_volume_down",
        "media_volume_mute",
        "media_volume_up",
        "menu",
        "num_lock",
        "page_down",
        "page_up",
        "pause",
        "print_screen",
        "right",
        "scroll_lock",
        "space",
        "tab",
        "up",
        *(f"f{n}" for n in range(1, 21)),
    }
)


class HotkeyError(SottovoceError, ValueError):
    """A hotkey string cannot be parsed."""


@dataclass(frozen=True)
class Hotkey:
    """One key plus the modifiers held with it; `key` is a character or "<name>"."""

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        held = [f"<{m}>" for m in MODIFIER_ORDER if m in self.modifiers]
        return "+".join([*held, self.key])

    @property
    def key_name(self) -> str | None:
        """The special key's name ("f9", "esc"), or None for a character key."""
        if len(self.key) > 2 and self.key.startswith("<") and self.key.endswith(">"):
            return self.key[1:-1]
        return None

    def pynput_keys(self) -> list[Any]:
        """The keys as pynput's `keyboard.HotKey` wants them (needs a display on X11)."""
        # Imported here: importing pynput.keyboard fails without a display.
        from pynput import keyboard

        try:
            return list(keyboard.HotKey.parse(str(self)))
        except ValueError as exc:
            raise HotkeyError(f"pynput cannot use the hotkey '{self}' on this platform") from exc


def _split(spec: str) -> list[str]:
    """Split on '+' like pynput does, so that a trailing '+' can be the key itself."""
    parts: list[str] = []
    start = 0
    for i, char in enumerate(spec):
        if char == "+" and i != start:
            parts.append(spec[start:i])
            start = i + 1
    parts.append(spec[start:])
    return parts


def _parse_part(part: str, spec: str) -> tuple[str, str]:
    """Return ("modifier", name) or ("key", key) for one part of `spec`."""
    if len(part) == 1:
        return "key", part.lower()
    if len(part) > 2 and part.startswith("<") and part.endswith(">"):
        name = part[1:-1].strip().lower()
        if name in _MODIFIERS:
            return "modifier", _MODIFIERS[name]
        if name in SPECIAL_KEYS or name.isdigit():
            return "key", f"<{name}>"
        raise HotkeyError(f"unknown key '{part}' in '{spec}'")
    hint = " (name special keys in angle brackets, e.g. '<ctrl>')" if part.isalnum() else ""
    raise HotkeyError(f"unknown key '{part}' in '{spec}'{hint}")


def parse_hotkey(spec: str) -> Hotkey:
    """Parse a hotkey such as "<ctrl>+<alt>+d"; raise HotkeyError naming the bad part."""
    if not spec or not spec.strip():
        raise HotkeyError("the hotkey is empty")
    modifiers: set[str] = set()
    keys: list[str] = []
    for raw in _split(spec.strip()):
        part = raw.strip()
        if not part:
            raise HotkeyError(f"empty key in '{spec}' (two '+' in a row, or one at an end)")
        kind, value = _parse_part(part, spec)
        if value in modifiers or value in keys:
            raise HotkeyError(f"'{part}' appears twice in '{spec}'")
        if kind == "modifier":
            modifiers.add(value)
        else:
            keys.append(value)
    if not keys:
        raise HotkeyError(f"'{spec}' has only modifiers; add a key, e.g. '{spec}+d'")
    if len(keys) > 1:
        raise HotkeyError(f"'{spec}' has more than one non-modifier key: {', '.join(keys)}")
    return Hotkey(frozenset(modifiers), keys[0])
