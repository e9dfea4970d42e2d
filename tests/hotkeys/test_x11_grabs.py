"""Key grabs: hotkey presses stay away from applications; a hotkey taken elsewhere is reported."""

from __future__ import annotations

from Xlib import XK, X

from hotkeys.parse import parse_hotkey
from hotkeys.x11.connection import open_display
from hotkeys.x11.grabs import KeyGrabs
from tests.hotkeys.xapps import Xvfb


def test_a_hotkey_grabbed_by_another_program_is_reported(xvfb: Xvfb) -> None:
    other = open_display(xvfb.name)  # "another program" holding Ctrl+Alt+K
    keycode = other.keysym_to_keycode(XK.string_to_keysym("k"))
    other.screen().root.grab_key(
        keycode, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync
    )
    other.sync()
    try:
        grabs = KeyGrabs(
            xvfb.name,
            {"rewrite": parse_hotkey("<ctrl>+<alt>+k"), "toggle": parse_hotkey("<ctrl>+<alt>+j")},
        )
        try:
            assert grabs.conflicts == [
                "rewrite (<ctrl>+<alt>+k) is already taken by another program"
            ]
        finally:
            grabs.release()
    finally:
        other.close()


def test_released_grabs_can_be_taken_again(xvfb: Xvfb) -> None:
    hotkeys = {"push_to_talk": parse_hotkey("<ctrl>+<alt>+<space>")}
    first = KeyGrabs(xvfb.name, hotkeys)
    assert first.conflicts == []
    first.release()
    second = KeyGrabs(xvfb.name, hotkeys)
    try:
        assert second.conflicts == []
    finally:
        second.release()
