"""Injection into real applications under Xvfb: the peers' paste bugs, each with a test."""

from __future__ import annotations

import pytest
from Xlib import XK, X
from Xlib.display import Display
from Xlib.ext import xtest

from hotkeys.errors import InjectionError
from hotkeys.inject import AutoInjector, PasteInjector, TypeInjector, create_injector
from hotkeys.parse import Hotkey, parse_hotkey
from hotkeys.shortcuts import copy_shortcut_for, paste_shortcut_for
from hotkeys.x11.clipboard import TRANSIENT_HINT, X11Clipboard
from hotkeys.x11.keyboard import XTestKeyboard
from tests.hotkeys.xapps import TkEditor, XtermLines, Xvfb

pytestmark = pytest.mark.x11
CTRL_V = parse_hotkey("<ctrl>+v")


@pytest.fixture
def paster(clipboard: X11Clipboard, keyboard: XTestKeyboard) -> PasteInjector:
    return PasteInjector(clipboard, keyboard, landing_timeout=3.0)


class PeekingKeyboard:
    """The real keyboard, plus a clipboard manager that reads the clipboard as the paste goes out."""

    def __init__(self, keyboard: XTestKeyboard, x: Xvfb) -> None:
        self.keyboard = keyboard
        self.x = x
        self.peeked: bytes | None = None

    def is_available(self) -> bool:
        return True

    def release_modifiers(self) -> None:
        self.keyboard.release_modifiers()

    def send_chord(self, hotkey: Hotkey) -> None:
        self.peeked = self.x.clipboard()
        self.keyboard.send_chord(hotkey)

    def type_text(self, text: str) -> None:
        self.keyboard.type_text(text)

    def focused_app(self) -> str | None:
        return self.keyboard.focused_app()

    def close(self) -> None:
        pass


def test_paste_lands_the_text_and_then_restores_the_previous_clipboard(
    x: Xvfb, editor: TkEditor, paster: PasteInjector
) -> None:
    x.set_clipboard("the user's own clipboard – ✓".encode())
    editor.reset("Note: ")

    result = paster.inject("Metformin 500 mg, 37.5 °C, Müller")

    assert editor.wait_text("Note: Metformin 500 mg, 37.5 °C, Müller") == (
        "Note: Metformin 500 mg, 37.5 °C, Müller"
    )
    assert result.landed and result.clipboard_restored
    assert x.clipboard() == "the user's own clipboard – ✓".encode()


def test_a_slow_application_still_gets_the_transcript_not_the_old_clipboard(
    x: Xvfb, editor: TkEditor, paster: PasteInjector
) -> None:
    # VoiceInk #415 (restored before the paste landed) and Handy #502 (old clipboard pasted):
    # this editor fetches the clipboard 400 ms after Ctrl+V.
    x.set_clipboard(b"OLD CLIPBOARD")
    editor.reset("", paste="slow")

    result = paster.inject("transcript")

    assert result.landed
    assert editor.wait_text("transcript") == "transcript"
    assert x.clipboard() == b"OLD CLIPBOARD"


def test_the_clipboard_holds_the_transcript_marked_transient_while_the_paste_is_pending(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    # VoiceInk #458: clipboard managers must be told to skip the transcript.
    peeking = PeekingKeyboard(keyboard, x)
    editor.reset("")

    result = PasteInjector(clipboard, peeking).inject("private words")

    assert peeking.peeked == b"private words"
    assert result.landed
    assert editor.wait_text("private words") == "private words"
    assert TRANSIENT_HINT not in x.clipboard_targets()  # the restored (empty) clipboard


def test_when_the_paste_never_lands_the_text_stays_and_the_old_clipboard_is_not_restored(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    x.set_clipboard(b"OLD CLIPBOARD")
    editor.reset("", paste="ignore")
    # A clipboard manager reading the text is not the paste landing.
    peeking = PeekingKeyboard(keyboard, x)

    result = PasteInjector(clipboard, peeking, landing_timeout=0.5).inject("transcript")

    assert peeking.peeked == b"transcript"
    assert not result.landed and not result.clipboard_restored
    assert x.clipboard() == b"transcript"
    assert x.clipboard(TRANSIENT_HINT) == b"secret"


def test_restore_on_timeout_is_a_choice(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    x.set_clipboard(b"OLD CLIPBOARD")
    editor.reset("", paste="ignore")
    paster = PasteInjector(clipboard, keyboard, landing_timeout=0.3, restore_on_timeout=True)

    result = paster.inject("transcript")

    assert not result.landed and result.clipboard_restored
    assert x.clipboard() == b"OLD CLIPBOARD"


def test_paste_works_while_the_user_still_holds_the_hotkey_modifiers(
    editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard, user: Display
) -> None:
    for name in ("Shift_L", "Alt_L"):  # from <shift>+<alt>+d; Ctrl+Shift+V does not paste in Tk
        keycode = user.keysym_to_keycode(XK.string_to_keysym(name))
        xtest.fake_input(user, X.KeyPress, keycode)
    user.sync()
    editor.reset("")

    result = PasteInjector(clipboard, keyboard, landing_timeout=1.0).inject("held")

    assert result.landed
    assert editor.wait_text("held") == "held"


def test_typing_into_tk_replaces_nothing_and_keeps_unicode(
    editor: TkEditor, keyboard: XTestKeyboard
) -> None:
    editor.reset("a")

    TypeInjector(keyboard).inject("b – µg °C 😀")

    assert editor.wait_text("ab – µg °C 😀") == "ab – µg °C 😀"


def test_auto_types_short_text_into_a_terminal(
    keyboard: XTestKeyboard, clipboard: X11Clipboard, xterm: XtermLines
) -> None:
    injector = create_injector("auto", clipboard, keyboard)

    result = injector.inject("ls -l ~/notes\n")

    assert result.method == "type"
    assert xterm.line() == "ls -l ~/notes"


def test_auto_pastes_multi_line_text_where_a_paste_key_exists(
    x: Xvfb, editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    editor.reset("")
    injector = AutoInjector(TypeInjector(keyboard), PasteInjector(clipboard, keyboard))

    result = injector.inject("S: cough\nO: 37.5 °C")

    assert result.method == "paste"
    assert editor.wait_text("S: cough\nO: 37.5 °C") == "S: cough\nO: 37.5 °C"


def test_auto_pastes_when_the_text_needs_more_keys_than_the_keymap_can_lend(
    editor: TkEditor, clipboard: X11Clipboard, keyboard: XTestKeyboard
) -> None:
    editor.reset("")
    text = "абвгдежзийклмнопрстуфхцчшщъыьэюя αβγδεζηθικλμνξοπρστυφχψω"  # > free keycodes

    result = create_injector("auto", clipboard, keyboard).inject(text)

    assert result.method == "paste"
    assert editor.wait_text(text) == text


def test_paste_refuses_an_application_without_a_paste_key(
    clipboard: X11Clipboard, keyboard: XTestKeyboard, xterm: XtermLines
) -> None:
    with pytest.raises(InjectionError, match="no key that pastes"):
        PasteInjector(clipboard, keyboard).inject("text")


def test_shortcuts_follow_the_application() -> None:
    assert paste_shortcut_for("Tk", "linux") == CTRL_V
    assert paste_shortcut_for("XTerm", "linux") is None
    assert copy_shortcut_for("XTerm", "linux") is None
    assert paste_shortcut_for("Gnome-terminal", "linux") == parse_hotkey("<ctrl>+<shift>+v")
    assert copy_shortcut_for(None, "darwin") == parse_hotkey("<cmd>+c")
