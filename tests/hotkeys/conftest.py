"""X11 fixtures: one private Xvfb per session, real applications per module.

DISPLAY is set only for the tests that ask for `display`; everything else gets
the display name passed explicitly, so no test leaks onto the developer's screen.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from Xlib import XK, X
from Xlib.display import Display
from Xlib.ext import xtest

from hotkeys.x11.clipboard import X11Clipboard
from hotkeys.x11.keyboard import XTestKeyboard
from tests.hotkeys.xapps import TkEditor, XtermLines, Xvfb


@pytest.fixture
def display(xvfb: Xvfb, monkeypatch: pytest.MonkeyPatch) -> str:
    """DISPLAY pointing at the private server, for code that reads it from the environment."""
    monkeypatch.setenv("DISPLAY", xvfb.name)
    return xvfb.name


@pytest.fixture
def x(xvfb: Xvfb) -> Iterator[Xvfb]:
    """The X server, with the clipboard left empty after each test."""
    yield xvfb
    xvfb.clear_clipboard()


@pytest.fixture(scope="module")
def keyboard(xvfb: Xvfb) -> Iterator[XTestKeyboard]:
    """XTEST keystrokes on the private server."""
    keys = XTestKeyboard(xvfb.name)
    yield keys
    keys.close()


@pytest.fixture(scope="module")
def clipboard(xvfb: Xvfb) -> Iterator[X11Clipboard]:
    """The X11 clipboard backend on the private server."""
    board = X11Clipboard(xvfb.name)
    yield board
    board.close()


@pytest.fixture(scope="module")
def editor(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TkEditor]:
    """One Tk editor per module; tests reset it."""
    app = TkEditor(xvfb, tmp_path_factory.mktemp("tk"))
    yield app
    app.close()


@pytest.fixture(scope="module")
def terminal(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[XtermLines]:
    """One xterm per module."""
    app = XtermLines(xvfb, tmp_path_factory.mktemp("xterm"))
    yield app
    app.close()


@pytest.fixture
def xterm(terminal: XtermLines) -> XtermLines:
    """The module's xterm, focused, recording the lines typed into it."""
    terminal.focus()
    return terminal


@pytest.fixture
def user(xvfb: Xvfb) -> Iterator[Display]:
    """A second client standing for the user's hands on the keyboard."""
    display = Display(xvfb.name)
    yield display
    for name in ("Control_L", "Shift_L", "Alt_L"):
        keycode = display.keysym_to_keycode(XK.string_to_keysym(name))
        xtest.fake_input(display, X.KeyRelease, keycode)
    display.close()
