"""Factories and value objects of the desktop primitives (no X server needed)."""

from __future__ import annotations

import sys

import pytest

from hotkeys.backends import create_clipboard, create_keyboard
from hotkeys.clipboard import ClipboardSnapshot
from hotkeys.inject import (
    AutoInjector,
    PasteInjector,
    TypeInjector,
    create_injector,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 backends")


def test_snapshot_repr_shows_sizes_never_content() -> None:
    snapshot = ClipboardSnapshot((("UTF8_STRING", b"patient secret"), ("text/html", b"<b>x</b>")))

    assert "secret" not in repr(snapshot)
    assert "UTF8_STRING: 14 B" in repr(snapshot)


@pytest.mark.parametrize(
    ("formats", "text"),
    [
        ((("UTF8_STRING", "µg".encode()),), "µg"),
        ((("text/html", b"<b>x</b>"), ("text/plain;charset=utf-8", b"x")), "x"),
        ((("CF_UNICODETEXT", "°C\0".encode("utf-16-le")),), "°C"),
        ((("STRING", "é".encode("latin-1")),), "é"),
        ((("image/png", b"\x89PNG"),), None),
        ((), None),
    ],
)
def test_snapshot_text_decodes_the_best_text_format(
    formats: tuple[tuple[str, bytes], ...], text: str | None
) -> None:
    assert ClipboardSnapshot(formats).text() == text


@linux_only
def test_factories_pick_the_x11_backends_on_linux() -> None:
    from hotkeys.x11.clipboard import X11Clipboard
    from hotkeys.x11.keyboard import XTestKeyboard

    keyboard = create_keyboard(":99")
    clipboard = create_clipboard(":99")
    assert isinstance(keyboard, XTestKeyboard)
    assert isinstance(clipboard, X11Clipboard)

    assert isinstance(create_injector("type", clipboard, keyboard), TypeInjector)
    assert isinstance(create_injector("paste", clipboard, keyboard), PasteInjector)
    assert isinstance(create_injector("auto", clipboard, keyboard), AutoInjector)


@linux_only
def test_backends_without_a_display_say_so_instead_of_raising(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)

    assert not create_keyboard().is_available()
    assert not create_clipboard().is_available()


@pytest.mark.parametrize("warm", [False, True])
def test_no_microphone_is_said_in_plain_words(warm: bool) -> None:
    from hotkeys.errors import MicrophoneError
    from hotkeys.microphone import NO_MICROPHONE, Microphone, WarmMicrophone

    with pytest.raises(MicrophoneError) as caught:  # device 999 exists nowhere
        if warm:
            WarmMicrophone("999", 0.5).open()
        else:
            Microphone("999", lambda _data: None).start()
    assert str(caught.value) == NO_MICROPHONE
    assert "querying" not in str(caught.value) and "999" not in str(caught.value)
