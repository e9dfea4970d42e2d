"""The first word of the first dictation survives a cold PulseAudio source.

A source with no other client delivers its first block 0.5-2 s after a stream
starts; a microphone opened on key press lost "Blood pressure" that way. Each
run starts a fresh PulseAudio (cold) and a fresh agent, then dictates at once,
speech starting together with the key press.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.conftest import keys
from tests.hotkeys.xapps import XtermLines, Xvfb
from tests.support.daemon import (
    RunningDaemon,
    daemon_env,
    start_daemon,
    wait_for,
    write_config,
)
from tests.support.pulse import PulseAudio
from tests.support.speech import speak, words

SENTENCE = "Blood pressure is normal today."
# The module's daemon serves the API only; each run starts its own `sottovoce agent`.
CONFIG = "[hotkeys]\nenabled = false\naudio_cues = false\n[llm]\nload_at_start = false\n"
RUNS = 5


@pytest.fixture(scope="module")
def api_daemon(
    tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    home = tmp_path_factory.mktemp("first-word-home")
    write_config(home, CONFIG)
    daemon = start_daemon(home)
    yield daemon
    assert daemon.stop() == 0, daemon.log()


@pytest.fixture(scope="module")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Xvfb]:
    server = Xvfb(tmp_path_factory.mktemp("first-word-x") / "xvfb.log")
    yield server
    server.close()


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentence from its first sample (no pause), then a short tail of silence."""
    folder = tmp_path_factory.mktemp("first-word-audio")
    spoken = speak(SENTENCE, folder / "speech.wav")
    played = folder / "played.wav"
    subprocess.run(["sox", str(spoken), str(played), "pad", "0", "0.3"], check=True)
    return played


@pytest.mark.parametrize("run", range(RUNS))
def test_the_first_word_after_start_on_a_cold_source_is_kept(
    run: int, api_daemon: RunningDaemon, display: Xvfb, speech: Path, tmp_path: Path
) -> None:
    pulse = PulseAudio(tmp_path)  # a new server: its source has never had a client
    xterm = XtermLines(display, tmp_path)
    log = tmp_path / "agent.log"
    env = {"DISPLAY": display.name, **pulse.client_env}
    try:
        with log.open("wb") as out:
            agent = subprocess.Popen(
                [sys.executable, "-m", "daemon", "agent"],
                env=daemon_env(api_daemon.home, env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: "hotkeys are ready" in log.read_text(), timeout=60)
            xterm.focus()
            keys(display, "keydown", "ctrl+alt+space")
            pulse.play(speech)  # speech begins with the key press
            keys(display, "keyup", "space", "ctrl", "alt")
            wait_for(lambda: "dictation inserted" in log.read_text(), timeout=90)
            keys(display, "key", "Return")
            line = xterm.line(timeout=10)
        finally:
            agent.terminate()
            assert agent.wait(30) == 0, log.read_text()
        assert line is not None and words(line) == words(SENTENCE), (run, line)
    finally:
        xterm.close()
        pulse.close()
