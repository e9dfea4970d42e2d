"""Key grabs: hotkey presses stay away from applications; a hotkey taken elsewhere is reported."""

from __future__ import annotations

from Xlib import XK, X
from Xlib.display import Display
from Xlib.ext import xtest

from hotkeys.parse import parse_hotkey
from hotkeys.x11.connection import open_display
from hotkeys.x11.grabs import KeyGrabs
from hotkeys.x11.keyboard import XTestKeyboard
from tests.hotkeys.xapps import XtermLines, Xvfb


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


def _press(display: Display, *names: str) -> None:
    for name in names:
        keycode = display.keysym_to_keycode(XK.string_to_keysym(name))
        xtest.fake_input(display, X.KeyPress, keycode)
    display.sync()


def _release(display: Display, *names: str) -> None:
    for name in reversed(names):
        keycode = display.keysym_to_keycode(XK.string_to_keysym(name))
        xtest.fake_input(display, X.KeyRelease, keycode)
    display.sync()


def test_keys_sent_while_the_hotkey_is_held_reach_the_application_once_released(
    xvfb: Xvfb, xterm: XtermLines, keyboard: XTestKeyboard, user: Display
) -> None:
    # Holding a grabbed hotkey grabs the whole keyboard: our own keys would go to us.
    grabs = KeyGrabs(xvfb.name, {"rewrite": parse_hotkey("<ctrl>+<alt>+r")})
    try:
        _press(user, "Control_L", "Alt_L", "r")
        grabs.release_keyboard()
        keyboard.type_text("copied while held\n")
        assert xterm.line() == "copied while held"
        _release(user, "Control_L", "Alt_L", "r")
    finally:
        grabs.release()


def test_escape_is_taken_only_while_grabbed(
    xvfb: Xvfb, xterm: XtermLines, keyboard: XTestKeyboard
) -> None:
    esc = parse_hotkey("<esc>")
    grabs = KeyGrabs(xvfb.name, {})
    try:
        assert grabs.grab("cancel", esc, any_modifier=True) is None
        keyboard.send_chord(esc)
        keyboard.send_chord(parse_hotkey("<ctrl>+<alt>+<esc>"))  # Esc during push-to-talk
        keyboard.type_text("a\n")
        assert xterm.line() == "a"
        grabs.ungrab(esc, any_modifier=True)
        keyboard.send_chord(esc)
        keyboard.type_text("b\n")
        assert xterm.line() == "\x1bb"
    finally:
        grabs.release()


def test_typing_lets_go_of_a_held_hotkey_so_it_cannot_repeat_into_a_grab(
    xvfb: Xvfb, xterm: XtermLines, keyboard: XTestKeyboard, user: Display
) -> None:
    # Each auto-repeat of a held grabbed key would grab the keyboard again: the keyboard
    # releases every key still down before it types, which also ends the grab.
    grabs = KeyGrabs(xvfb.name, {"rewrite": parse_hotkey("<ctrl>+<alt>+r")})
    try:
        _press(user, "Control_L", "Alt_L", "r")
        keyboard.type_text("typed while held\n")
        assert xterm.line() == "typed while held"
        down = user.query_keymap()
        r = user.keysym_to_keycode(XK.string_to_keysym("r"))
        assert not down[r // 8] & (1 << (r % 8))
    finally:
        grabs.release()
