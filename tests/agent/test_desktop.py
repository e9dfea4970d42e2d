"""End to end in a real X session: hotkeys, microphone, injection and rewrite, as a user would."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.conftest import desktop_env, keys, log_count
from tests.doctor.helpers import run_doctor
from tests.hotkeys.xapps import TkEditor, XtermLines, Xvfb
from tests.support.daemon import RunningDaemon, start_daemon, wait_for, write_config
from tests.support.pulse import PulseAudio
from tests.support.speech import speak, words

SENTENCE = "Blood pressure is normal today."
USER_CLIPBOARD = "the user's own clipboard: 5 µg at 37 °C"


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentence after half a second of silence: people start talking after the key is down."""
    import subprocess

    folder = tmp_path_factory.mktemp("agent-audio")
    speech = speak(SENTENCE, folder / "speech.wav")
    padded = folder / "ptt.wav"
    subprocess.run(["sox", str(speech), str(padded), "pad", "0.5", "0.3"], check=True)
    return padded


@pytest.fixture
def xterm(xvfb: Xvfb, tmp_path: Path) -> Iterator[XtermLines]:
    terminal = XtermLines(xvfb, tmp_path)
    yield terminal
    terminal.close()


@pytest.fixture
def editor(xvfb: Xvfb, tmp_path: Path) -> Iterator[TkEditor]:
    app = TkEditor(xvfb, tmp_path)
    yield app
    app.close()


def _latest_history(daemon: RunningDaemon) -> dict[str, object]:
    request = urllib.request.Request(
        daemon.base_url + "/v1/history?limit=1", headers=daemon.headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"][0]  # type: ignore[no-any-return]


def test_push_to_talk_types_speech_into_xterm_and_keeps_the_clipboard(
    desktop_daemon: RunningDaemon, xvfb: Xvfb, pulse: PulseAudio, xterm: XtermLines, spoken: Path
) -> None:
    xvfb.set_clipboard(USER_CLIPBOARD.encode())
    xterm.focus()
    before = log_count(desktop_daemon, "dictation inserted")
    keys(xvfb, "keydown", "ctrl+alt+space")
    wait_for(lambda: log_count(desktop_daemon, "agent listening") > 0, timeout=10)
    pulse.play(spoken)
    keys(xvfb, "keyup", "space")
    keys(xvfb, "keyup", "ctrl", "alt")
    wait_for(lambda: log_count(desktop_daemon, "dictation inserted") > before, timeout=60)
    keys(xvfb, "key", "Return")
    line = xterm.line(timeout=10)
    assert line is not None and words(line) == words(SENTENCE)
    assert xvfb.clipboard() == USER_CLIPBOARD.encode()


def test_toggle_dictation_and_cancel(
    desktop_daemon: RunningDaemon, xvfb: Xvfb, pulse: PulseAudio, xterm: XtermLines, spoken: Path
) -> None:
    xterm.focus()
    inserted = log_count(desktop_daemon, "dictation inserted")
    cancelled = log_count(desktop_daemon, "dictation cancelled")
    listening = log_count(desktop_daemon, "agent listening")
    keys(xvfb, "key", "ctrl+alt+d")  # start
    wait_for(lambda: log_count(desktop_daemon, "agent listening") > listening, timeout=10)
    pulse.play(spoken)
    keys(xvfb, "key", "Escape")  # cancel: Sottovoce takes the Esc, nothing is typed
    wait_for(lambda: log_count(desktop_daemon, "dictation cancelled") > cancelled, timeout=10)
    # Byte for byte: no ESC reached the terminal (readline would eat the next letter).
    keys(xvfb, "type", "ok")
    keys(xvfb, "key", "Return")
    assert xterm.line(timeout=10) == "ok"
    keys(xvfb, "key", "ctrl+alt+d")  # start again
    pulse.play(spoken)
    keys(xvfb, "key", "ctrl+alt+d")  # stop
    wait_for(lambda: log_count(desktop_daemon, "dictation inserted") > inserted, timeout=60)
    assert log_count(desktop_daemon, "dictation inserted") == inserted + 1
    keys(xvfb, "key", "Return")
    line = xterm.line(timeout=10)
    assert line is not None and words(line) == words(SENTENCE)


def test_escape_outside_a_dictation_reaches_the_application(
    desktop_daemon: RunningDaemon, xvfb: Xvfb, xterm: XtermLines
) -> None:
    wait_for(lambda: log_count(desktop_daemon, "hotkeys are ready") > 0, timeout=30)
    xterm.focus()
    keys(xvfb, "key", "Escape")
    keys(xvfb, "type", "x")
    keys(xvfb, "key", "Return")
    assert xterm.line(timeout=10) == "\x1bx"


def test_rewrite_hotkey_replaces_selection_or_warns(
    desktop_daemon: RunningDaemon, xvfb: Xvfb, editor: TkEditor
) -> None:
    original = "the patient have no fever and no cough since two days"
    xvfb.set_clipboard(USER_CLIPBOARD.encode())
    editor.reset(original, select=True)
    done = log_count(desktop_daemon, "replaced the selection") + log_count(
        desktop_daemon, "Rewrite not applied"
    )
    keys(xvfb, "key", "ctrl+alt+r")
    wait_for(
        lambda: (
            log_count(desktop_daemon, "replaced the selection")
            + log_count(desktop_daemon, "Rewrite not applied")
            > done
        ),
        timeout=120,
    )
    entry = _latest_history(desktop_daemon)
    assert entry["kind"] == "rewrite" and entry["input_text"] == original
    fidelity = entry["fidelity"]
    assert isinstance(fidelity, dict)
    if fidelity["ok"]:
        assert editor.wait_text(str(entry["output_text"]), timeout=30) == entry["output_text"]
    else:
        assert editor.text() == original
        assert (
            "notification: Rewrite not applied: it changed clinical facts" in desktop_daemon.log()
        )
    assert xvfb.clipboard() == USER_CLIPBOARD.encode()


def test_rewrite_with_nothing_selected_changes_nothing(
    desktop_daemon: RunningDaemon, xvfb: Xvfb, editor: TkEditor
) -> None:
    xvfb.set_clipboard(USER_CLIPBOARD.encode())
    editor.reset("nothing is selected here", select=False, export=False)
    before = log_count(desktop_daemon, "Nothing selected")
    keys(xvfb, "key", "ctrl+alt+r")
    wait_for(lambda: log_count(desktop_daemon, "Nothing selected") > before, timeout=30)
    assert editor.text() == "nothing is selected here"
    assert xvfb.clipboard() == USER_CLIPBOARD.encode()


def test_standalone_agent_waits_for_the_daemon_and_recovers(
    tmp_path: Path, own_xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> None:
    import subprocess
    import sys

    from tests.support.daemon import daemon_env

    home = tmp_path / "home"
    write_config(
        home,
        "[hotkeys]\naudio_cues = false\n[speech]\nload_at_start = false\n[llm]\nload_at_start = false\n",
    )
    (home / "config" / "token").write_text("sv-placeholder\n")
    log = tmp_path / "agent.log"
    with log.open("wb") as out:
        agent = subprocess.Popen(
            [sys.executable, "-m", "daemon", "agent"],
            env=daemon_env(home, desktop_env(own_xvfb, pulse)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "does not answer" in log.read_text(), timeout=30)
        (home / "config" / "token").unlink()
        daemon = start_daemon(home, wait_models=False)
        try:
            wait_for(lambda: "hotkeys are ready" in log.read_text(), timeout=30)
        finally:
            assert daemon.stop() == 0
    finally:
        agent.terminate()
        assert agent.wait(30) == 0, log.read_text()


def test_hotkeys_do_nothing_in_an_excluded_application(
    tmp_path: Path, own_xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> None:
    xterm = XtermLines(own_xvfb, tmp_path)
    home = tmp_path / "home"
    write_config(
        home,
        '[hotkeys]\naudio_cues = false\nexclude = ["xterm"]\n[speech]\nload_at_start = false\n[llm]\nload_at_start = false\n',
    )
    daemon = start_daemon(home, env=desktop_env(own_xvfb, pulse), wait_models=False)
    try:
        wait_for(lambda: "hotkeys are ready" in daemon.log(), timeout=30)
        xterm.focus()
        keys(own_xvfb, "key", "ctrl+alt+d")
        wait_for(lambda: "hotkeys do nothing in XTerm" in daemon.log(), timeout=15)
        assert "agent listening" not in daemon.log()
    finally:
        assert daemon.stop() == 0
        xterm.close()


def test_a_second_agent_on_the_same_display_refuses_to_start(
    desktop_daemon: RunningDaemon, xvfb: Xvfb, pulse: PulseAudio
) -> None:
    import subprocess
    import sys

    from tests.support.daemon import daemon_env

    wait_for(lambda: log_count(desktop_daemon, "hotkeys are ready") > 0, timeout=30)
    second = subprocess.run(
        [sys.executable, "-m", "daemon", "agent"],
        env=daemon_env(desktop_daemon.home, desktop_env(xvfb, pulse)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert "another Sottovoce agent" in second.stderr
    assert "already serves the hotkeys on display" in second.stderr
    # The first agent still owns the display: its hotkeys keep working.
    assert "hotkeys on:" not in second.stderr
    # And the doctor names it: the daemon's own agent.
    report = run_doctor(desktop_daemon.home, env=desktop_env(xvfb, pulse))
    agent = report.check("agent")
    assert agent["status"] == "ok", agent
    assert f"pid {desktop_daemon.process.pid}" in agent["detail"]


def test_the_clipboard_outlives_the_daemon(
    tmp_path: Path, own_xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> None:
    home = tmp_path / "home"
    write_config(
        home,
        "[hotkeys]\naudio_cues = false\n[speech]\nload_at_start = false\n"
        "[llm]\nload_at_start = false\n",
    )
    editor = TkEditor(own_xvfb, tmp_path)
    daemon = start_daemon(home, env=desktop_env(own_xvfb, pulse), wait_models=False)
    try:
        wait_for(lambda: "hotkeys are ready" in daemon.log(), timeout=30)
        own_xvfb.set_clipboard(USER_CLIPBOARD.encode())
        editor.reset("nothing is selected here", select=False, export=False)
        # The selection probe leaves the user's clipboard served by the agent itself.
        keys(own_xvfb, "key", "ctrl+alt+r")
        wait_for(lambda: "Nothing selected" in daemon.log(), timeout=30)
        assert own_xvfb.clipboard() == USER_CLIPBOARD.encode()
    finally:
        assert daemon.stop() == 0, daemon.log()
        editor.close()
    assert "serves the clipboard after we quit" in daemon.log()
    assert own_xvfb.clipboard() == USER_CLIPBOARD.encode()
