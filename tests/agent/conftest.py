"""A real desktop for the agent: Xvfb, PulseAudio with a virtual microphone, a daemon with hotkeys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hotkeys.xapps import Xvfb
from tests.support.daemon import RunningDaemon, start_daemon, write_config
from tests.support.pulse import PulseAudio

AGENT_CONFIG = """
[hotkeys]
audio_cues = false
[llm]
load_at_start = true
"""


def desktop_env(xvfb: Xvfb, pulse: PulseAudio) -> dict[str, str]:
    """What a process needs to use the virtual screen and microphone."""
    return {"DISPLAY": xvfb.name, **pulse.client_env}


@pytest.fixture(scope="module")
def desktop_daemon(
    tmp_path_factory: pytest.TempPathFactory, xvfb: Xvfb, pulse: PulseAudio, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    """`sottovoce serve` in the desktop session: the API plus the hotkey agent."""
    home = tmp_path_factory.mktemp("agent-home")
    write_config(home, AGENT_CONFIG)
    daemon = start_daemon(home, env=desktop_env(xvfb, pulse))
    yield daemon
    assert daemon.stop() == 0, daemon.log()


@pytest.fixture
def own_xvfb(tmp_path: Path) -> Iterator[Xvfb]:
    """An X server of this test's own: one agent per display, and the module's daemon has one."""
    server = Xvfb(tmp_path / "own-xvfb.log")
    yield server
    server.close()


def log_count(daemon: RunningDaemon, text: str) -> int:
    return daemon.log().count(text)


def keys(xvfb: Xvfb, *args: str) -> None:
    """Real key events through XTEST, as a user's keyboard would send them."""
    xvfb.run("xdotool", *args)


def home_of(daemon: RunningDaemon) -> Path:
    return daemon.home
