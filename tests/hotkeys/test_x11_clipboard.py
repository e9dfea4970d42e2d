"""The X11 clipboard backend against real owners and readers (xclip, Tk) under Xvfb."""

from __future__ import annotations

import time

import pytest

from hotkeys.clipboard import ClipboardSnapshot
from hotkeys.x11.clipboard import TRANSIENT_HINT, X11Clipboard
from tests.hotkeys.xapps import TkEditor, Xvfb

pytestmark = pytest.mark.x11


def test_transient_text_carries_the_password_manager_hint(x: Xvfb, clipboard: X11Clipboard) -> None:
    clipboard.write_text("Patient reports 5 mg daily", transient=True)

    assert TRANSIENT_HINT in x.clipboard_targets()
    assert x.clipboard(TRANSIENT_HINT) == b"secret"
    assert x.clipboard() == b"Patient reports 5 mg daily"


def test_ordinary_text_carries_no_hint(x: Xvfb, clipboard: X11Clipboard) -> None:
    clipboard.write_text("keep me", transient=False)

    assert TRANSIENT_HINT not in x.clipboard_targets()
    assert x.clipboard() == b"keep me"


def test_text_is_served_under_the_usual_text_targets(x: Xvfb, clipboard: X11Clipboard) -> None:
    clipboard.write_text("µg °C é ü")

    assert {"UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT"} <= set(
        x.clipboard_targets()
    )
    assert x.clipboard("text/plain;charset=utf-8") == "µg °C é ü".encode()
    assert x.clipboard("STRING") == "µg °C é ü".encode("latin-1")


def test_snapshot_and_restore_bring_back_another_applications_content(
    x: Xvfb, clipboard: X11Clipboard, editor: TkEditor
) -> None:
    editor.command("own_clipboard", text="Tk's own text: naïve")
    snapshot = clipboard.read()
    clipboard.write_text("transcript", transient=True)

    assert x.clipboard() == b"transcript"
    assert clipboard.restore(snapshot)
    assert x.clipboard() == "Tk's own text: naïve".encode()
    assert TRANSIENT_HINT not in x.clipboard_targets()


def test_restore_keeps_non_text_targets_byte_for_byte(x: Xvfb, clipboard: X11Clipboard) -> None:
    html = "<b>BP</b> 120/80 – ✓".encode()
    x.set_clipboard(html, target="text/html")
    snapshot = clipboard.read()

    clipboard.write_text("transcript", transient=True)
    clipboard.restore(snapshot)

    assert x.clipboard("text/html") == html


def test_an_empty_clipboard_is_a_snapshot_that_restores_to_empty(
    x: Xvfb, clipboard: X11Clipboard
) -> None:
    snapshot = clipboard.read()
    assert snapshot.is_empty

    clipboard.write_text("transcript", transient=True)
    assert clipboard.restore(snapshot)

    assert x.clipboard() is None
    assert x.clipboard_targets() == []


def test_large_content_survives_restore_through_incr_transfers(
    x: Xvfb, clipboard: X11Clipboard
) -> None:
    big = "".join(f"line {n}: Blutdruck 120/80 mmHg, Temperatur 37,5 °C\n" for n in range(20000))
    x.set_clipboard(big.encode())
    snapshot = clipboard.read()
    assert snapshot.text() == big

    clipboard.write_text("short transcript", transient=True)
    clipboard.restore(snapshot)

    assert x.clipboard() == big.encode()


def test_restore_does_not_overwrite_what_the_user_copied_meanwhile(
    x: Xvfb, clipboard: X11Clipboard
) -> None:
    ticket = clipboard.write_text("transcript", transient=True)
    x.set_clipboard(b"copied by the user afterwards")

    assert clipboard.wait_until_replaced(ticket, timeout=5)
    assert not clipboard.restore(ClipboardSnapshot((("UTF8_STRING", b"old"),)), replacing=ticket)
    assert x.clipboard() == b"copied by the user afterwards"


def test_waiting_for_replacement_times_out_while_we_still_own_it(clipboard: X11Clipboard) -> None:
    ticket = clipboard.write_text("still ours", transient=True)

    assert not clipboard.wait_until_replaced(ticket, timeout=0.2)
    assert clipboard.holds(ticket)


def test_a_reader_that_is_not_the_focused_application_is_not_a_paste(
    x: Xvfb, clipboard: X11Clipboard, editor: TkEditor
) -> None:
    editor.reset("")  # the Tk editor has the focus; xclip below is a clipboard manager's stand-in
    ticket = clipboard.write_text("transcript", transient=True)
    since = time.monotonic()

    assert x.clipboard() == b"transcript"
    assert not clipboard.wait_for_paste(ticket, since, timeout=0.3)


def test_primary_is_read_only_from_the_focused_application(
    x: Xvfb, clipboard: X11Clipboard, editor: TkEditor
) -> None:
    editor.reset("selected words", select=True)  # Tk exports its selection as PRIMARY
    assert clipboard.read_primary() == "selected words"

    x.set_clipboard(b"selected in another window", selection="primary")
    assert x.clipboard(selection="primary") == b"selected in another window"
    assert clipboard.read_primary() is None


def test_the_users_clipboard_outlives_the_backend_that_served_it(x: Xvfb) -> None:
    x.set_clipboard("the user's text – 5 µg".encode())
    board = X11Clipboard(x.name)
    snapshot = board.read()
    ticket = board.write_text("a transient paste", transient=True)
    assert board.restore(snapshot, replacing=ticket)  # now we serve the user's text
    board.close()  # no clipboard manager runs: a keeper process takes over

    assert x.clipboard() == "the user's text – 5 µg".encode()
    x.set_clipboard(b"copied later")  # the keeper yields to the next owner
    assert x.clipboard() == b"copied later"


def test_transient_content_ends_with_the_backend(x: Xvfb) -> None:
    board = X11Clipboard(x.name)
    board.write_text("sv-token", transient=True)
    board.close()

    assert x.clipboard_targets() == []


def test_a_running_clipboard_manager_takes_the_clipboard_on_close(x: Xvfb) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from tests.hotkeys.xapps import read_line, stop

    manager = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "clipmanager.py")],
        stdout=subprocess.PIPE,
        env=x.env,
        text=True,
    )
    try:
        assert read_line(manager.stdout, 30) == "ready"
        x.set_clipboard(b"kept by the manager")
        board = X11Clipboard(x.name)
        assert board.restore(board.read())  # we serve the user's text now
        board.close()  # SAVE_TARGETS: the manager copies it, no keeper is needed
        assert read_line(manager.stdout, 10) == "saved"
        assert x.clipboard() == b"kept by the manager"
    finally:
        stop(manager)
        if manager.stdout is not None:
            manager.stdout.close()
