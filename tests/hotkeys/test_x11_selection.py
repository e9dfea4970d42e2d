"""Capturing and replacing the selected text in real applications under Xvfb."""

from __future__ import annotations

import pytest
from Xlib import XK, X
from Xlib.display import Display
from Xlib.ext import xtest

from hotkeys.inject import TypeInjector
from hotkeys.selection import capture_selection, replace_selection
from hotkeys.x11.clipboard import X11Clipboard
from hotkeys.x11.keyboard import XTestKeyboard
from tests.hotkeys.xapps import TkEditor, XtermLines, Xvfb

pytestmark = pytest.mark.x11


def test_capture_returns_the_selection_and_restores_the_clipboard(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    x.set_clipboard("the user's clipboard – ✓".encode())
    editor.reset("Pt denies chest pain. BP 120/80, 37.5 °C", select=True, export=False)

    captured = capture_selection(clipboard, keyboard)

    assert captured == "Pt denies chest pain. BP 120/80, 37.5 °C"
    assert x.clipboard() == "the user's clipboard – ✓".encode()


def test_capture_then_replace_swaps_the_text_without_stray_keystrokes(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard, user: Display
) -> None:
    # WritingTools #183: a "c" typed instead of a copy would replace the selection with "c".
    # The user still holds Alt+Shift from the rewrite hotkey.
    for name in ("Alt_L", "Shift_L"):
        xtest.fake_input(user, X.KeyPress, user.keysym_to_keycode(XK.string_to_keysym(name)))
    user.sync()
    editor.reset("teh pateint", select=True, export=False)

    captured = capture_selection(clipboard, keyboard)
    assert captured == "teh pateint"
    replace_selection("the patient", TypeInjector(keyboard), keyboard)

    assert editor.wait_text("the patient") == "the patient"


def test_nothing_selected_gives_none_and_leaves_the_clipboard_alone(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    x.set_clipboard(b"the user's clipboard")
    editor.reset("no selection here")

    assert capture_selection(clipboard, keyboard, timeout=0.3) is None

    assert x.clipboard() == b"the user's clipboard"
    assert editor.text() == "no selection here"


def test_nothing_selected_with_an_empty_clipboard_leaves_it_empty(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    editor.reset("no selection here")

    assert capture_selection(clipboard, keyboard, timeout=0.3) is None

    assert x.clipboard_targets() == []


def test_an_application_that_does_not_copy_is_read_through_primary(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    x.set_clipboard(b"the user's clipboard")
    editor.reset("selected, never copied", select=True, copy="ignore")

    assert capture_selection(clipboard, keyboard, timeout=0.3) == "selected, never copied"
    assert x.clipboard() == b"the user's clipboard"


def test_a_stale_primary_of_another_application_is_not_taken_for_the_selection(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    editor.reset("nothing selected")
    x.set_clipboard(b"selected long ago elsewhere", selection="primary")

    assert capture_selection(clipboard, keyboard, timeout=0.3) is None


def test_capture_in_xterm_sends_no_ctrl_c_to_the_running_program(
    clipboard: X11Clipboard, keyboard: XTestKeyboard, xterm: XtermLines
) -> None:
    assert capture_selection(clipboard, keyboard) is None

    keyboard.type_text("still reading\n")
    assert xterm.line() == "still reading"
    assert not xterm.interrupted.exists()
