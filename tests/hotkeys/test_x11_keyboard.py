"""XTEST typing reaches xterm, which ignores XSendEvent: text arrives exactly, whatever the keymap."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from Xlib import XK, X
from Xlib.display import Display
from Xlib.ext import xtest

from hotkeys.errors import InjectionError
from hotkeys.x11.keyboard import XTestKeyboard, char_keysym
from tests.hotkeys.xapps import XtermLines, Xvfb

pytestmark = pytest.mark.x11


@pytest.fixture
def user(xvfb: Xvfb) -> Iterator[Display]:
    """A second X client standing for the user's physical keyboard."""
    display = Display(xvfb.name)
    yield display
    for name in ("Control_L", "Alt_L", "Shift_L"):
        press(display, name, down=False)
    display.close()


def press(display: Display, name: str, down: bool = True) -> None:
    keycode = display.keysym_to_keycode(XK.string_to_keysym(name))
    xtest.fake_input(display, X.KeyPress if down else X.KeyRelease, keycode)
    display.sync()


@pytest.mark.parametrize(
    "text",
    [
        "Patient denies chest pain, BP 120/80 mmHg.",
        "Temp 37.5 °C, Metformin 500 µg, Müller, café, Straße",
        "UPPER lower MiXeD ~!@#$%^&*()_+{}|:\"<>? `-=[]\\;',./",
        "€ ½ ✓ → 😀 ŝ",
    ],
)
def test_typed_text_arrives_in_xterm_exactly(
    keyboard: XTestKeyboard, xterm: XtermLines, text: str
) -> None:
    keyboard.type_text(text + "\n")

    assert xterm.line() == text


def test_modifiers_still_held_from_the_hotkey_do_not_turn_text_into_shortcuts(
    keyboard: XTestKeyboard, xterm: XtermLines, user: Display
) -> None:
    press(user, "Control_L")  # the user still holds Ctrl+Alt of the hotkey
    press(user, "Alt_L")

    keyboard.type_text("abc\n")  # with Ctrl held, xterm would receive ^A^B^C

    assert xterm.line() == "abc"


def test_caps_lock_does_not_change_the_typed_case(
    keyboard: XTestKeyboard, xterm: XtermLines, user: Display
) -> None:
    press(user, "Caps_Lock")
    press(user, "Caps_Lock", down=False)
    try:
        keyboard.type_text("Hello World 42\n")
        assert xterm.line() == "Hello World 42"
    finally:
        press(user, "Caps_Lock")
        press(user, "Caps_Lock", down=False)


def mapped(display: Display, keysym: int) -> bool:
    first = display.display.info.min_keycode
    rows = display.get_keyboard_mapping(first, display.display.info.max_keycode - first + 1)
    return any(keysym in row for row in rows)


def test_borrowed_keycodes_go_back_to_the_keymap_on_close(
    xvfb: Xvfb, xterm: XtermLines, user: Display
) -> None:
    keys = XTestKeyboard(xvfb.name, char_delay=0)  # "ŧ": typed by no other test
    keys.type_text("ŧ\n")
    assert xterm.line() == "ŧ"
    assert mapped(user, char_keysym("ŧ"))

    keys.close()

    assert not mapped(user, char_keysym("ŧ"))


def free_keycodes(display: Display) -> int:
    first = display.display.info.min_keycode
    rows = display.get_keyboard_mapping(first, display.display.info.max_keycode - first + 1)
    return sum(1 for row in rows if not any(row))


CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
GREEK = "αβγδεζηθικλμνξοπρστυφχψω"


def test_borrowed_keycodes_are_recycled_for_later_texts(
    xvfb: Xvfb, xterm: XtermLines, user: Display
) -> None:
    free = free_keycodes(user)
    assert 2 <= free <= len(GREEK)
    keys = XTestKeyboard(xvfb.name, char_delay=0)
    try:
        keys.type_text(CYRILLIC[:free] + "\n")
        assert xterm.line() == CYRILLIC[:free]
        keys.type_text(GREEK[:free] + "\n")  # every spare keycode changes meaning
        assert xterm.line() == GREEK[:free]
    finally:
        keys.close()
    assert free_keycodes(user) == free


def test_a_text_needing_more_spare_keycodes_than_exist_is_refused_before_typing(
    xvfb: Xvfb, xterm: XtermLines, user: Display
) -> None:
    free = free_keycodes(user)
    with XTestKeyboard(xvfb.name) as keys:
        with pytest.raises(InjectionError, match="lacks"):
            keys.type_text("x" + CYRILLIC[: free + 1])
        keys.type_text("after\n")

    assert xterm.line() == "after"


def test_control_characters_are_refused_before_anything_is_typed(
    keyboard: XTestKeyboard, xterm: XtermLines
) -> None:
    with pytest.raises(InjectionError, match="U\\+0007"):
        keyboard.type_text("ring \a bell")

    keyboard.type_text("after\n")
    assert xterm.line() == "after"


def test_focused_app_names_the_terminal(keyboard: XTestKeyboard, xterm: XtermLines) -> None:
    assert keyboard.focused_app() == "XTerm"
