"""The rewrite hotkey in real applications, with a daemon that lets every rewrite replace.

`rewrite.replace_when_unfaithful = true` makes the daemon answer `replace: true`
whatever the tiny model wrote, so these tests prove the capture and the
replacement themselves; test_desktop covers the guard keeping the original.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.conftest import desktop_env, keys, log_count
from tests.hotkeys.xapps import TkEditor, XtermLines, Xvfb
from tests.hotkeys.xapps import wait_for as poll
from tests.support.daemon import RunningDaemon, start_daemon, wait_for, write_config
from tests.support.pulse import PulseAudio

CONFIG = """
[hotkeys]
audio_cues = false
[speech]
load_at_start = false
[llm]
load_at_start = true
[rewrite]
replace_when_unfaithful = true
"""
USER_CLIPBOARD = "the user's own clipboard"
DONE = ("replaced the selection", "put on the clipboard", "Rewrite failed", "Nothing selected")


@pytest.fixture(scope="module")
def rewrite_daemon(
    tmp_path_factory: pytest.TempPathFactory, xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    home = tmp_path_factory.mktemp("rewrite-home")
    write_config(home, CONFIG)
    daemon = start_daemon(home, env=desktop_env(xvfb, pulse), wait_models=False)
    wait_for(lambda: "hotkeys are ready" in daemon.log(), timeout=60)
    yield daemon
    assert daemon.stop() == 0, daemon.log()


@pytest.fixture
def editor(xvfb: Xvfb, tmp_path: Path) -> Iterator[TkEditor]:
    app = TkEditor(xvfb, tmp_path)
    yield app
    app.close()


@pytest.fixture
def xterm(xvfb: Xvfb, tmp_path: Path) -> Iterator[XtermLines]:
    terminal = XtermLines(xvfb, tmp_path)
    yield terminal
    terminal.close()


def _outcomes(daemon: RunningDaemon) -> int:
    return sum(log_count(daemon, text) for text in DONE)


def _rewrite_with_hotkey_held(xvfb: Xvfb, daemon: RunningDaemon, hold: float) -> None:
    before = _outcomes(daemon)
    keys(xvfb, "keydown", "ctrl+alt+r")
    time.sleep(hold)  # the user's finger on the key (the scenario, not a wait for a result)
    keys(xvfb, "keyup", "r", "ctrl", "alt")
    wait_for(lambda: _outcomes(daemon) > before, timeout=180)


def _latest_history(daemon: RunningDaemon) -> dict[str, object]:
    request = urllib.request.Request(
        daemon.base_url + "/v1/history?limit=1", headers=daemon.headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"][0]  # type: ignore[no-any-return]


def test_rewrite_with_the_hotkey_held_replaces_a_selection_only_a_copy_can_read(
    rewrite_daemon: RunningDaemon, xvfb: Xvfb, editor: TkEditor
) -> None:
    original = "the patient have no fever since two days"
    xvfb.set_clipboard(USER_CLIPBOARD.encode())
    # exportselection=0: no PRIMARY, so only the Ctrl+C sent while the hotkey is held reads it.
    editor.reset(original, select=True, export=False)
    _rewrite_with_hotkey_held(xvfb, rewrite_daemon, 0.15)
    assert "Nothing selected" not in rewrite_daemon.log()
    entry = _latest_history(rewrite_daemon)
    assert entry["input_text"] == original
    expected = str(entry["output_text"])
    assert editor.wait_text(expected, timeout=30) == expected
    assert xvfb.clipboard() == USER_CLIPBOARD.encode()


def test_a_long_rewrite_is_pasted_as_hotkeys_injection_says(
    rewrite_daemon: RunningDaemon, xvfb: Xvfb, editor: TkEditor
) -> None:
    original = " ".join(["the patient have no fever and no cough since two days."] * 5)
    assert len(original) > 200  # AutoInjector pastes past 200 characters
    xvfb.set_clipboard(USER_CLIPBOARD.encode())
    editor.reset(original, select=True, export=False)
    _rewrite_with_hotkey_held(xvfb, rewrite_daemon, 0.05)
    entry = _latest_history(rewrite_daemon)
    expected = str(entry["output_text"])
    assert editor.wait_text(expected, timeout=30) == expected
    if len(expected) > 200 or "\n" in expected:
        assert "replaced the selection (paste)" in rewrite_daemon.log()
    assert xvfb.clipboard() == USER_CLIPBOARD.encode()


def test_a_terminal_rewrite_goes_to_the_clipboard_and_nothing_is_appended(
    rewrite_daemon: RunningDaemon, xvfb: Xvfb, xterm: XtermLines
) -> None:
    original = "patient have no fever"
    xterm.focus()
    keys(xvfb, "type", original)
    # A triple click selects the whole line: xterm owns PRIMARY, as a user's selection does.
    keys(xvfb, "mousemove", "--window", xterm.window, "20", "10")
    keys(xvfb, "click", "--repeat", "3", "1")
    assert poll(lambda: xvfb.clipboard(selection="primary"), lambda got: bool(got))
    before = log_count(rewrite_daemon, "put on the clipboard")
    _rewrite_with_hotkey_held(xvfb, rewrite_daemon, 0.05)
    assert log_count(rewrite_daemon, "put on the clipboard") == before + 1
    entry = _latest_history(rewrite_daemon)
    assert str(entry["input_text"]).strip() == original
    assert xvfb.clipboard() == str(entry["output_text"]).encode()
    assert "notification: Rewrite copied to the clipboard" in rewrite_daemon.log()
    # Nothing was typed after the original: the line the shell reads is the original alone.
    keys(xvfb, "key", "Return")
    assert xterm.line(timeout=10) == original
