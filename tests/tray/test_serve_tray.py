"""`sottovoce serve` in a desktop session with a tray host: icon on screen, states, Quit."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.config import Settings
from daemon.paths import Paths
from daemon.serve import async_serve
from hotkeys.session import DesktopSession
from hotkeys.tray import TrayState
from tests.desktop.session_bus import SessionBus
from tests.support.daemon import RunningDaemon, start_daemon, wait_for, write_config
from tests.support.pulse import PulseAudio
from tests.support.speech import speak
from tests.tray.test_app import colour_becomes, find
from tests.tray.xtray import XTray

CONFIG = "[hotkeys]\naudio_cues = false\n[llm]\nload_at_start = false\n"


@pytest.fixture
def tray_daemon(
    tmp_path: Path, x_tray: XTray, pulse: PulseAudio, tray_bus: SessionBus
) -> Iterator[RunningDaemon]:
    home = tmp_path / "home"
    write_config(home, CONFIG)
    env = {"DISPLAY": x_tray.name, "DBUS_SESSION_BUS_ADDRESS": tray_bus.address}
    daemon = start_daemon(home, env={**env, **pulse.client_env})
    yield daemon
    assert daemon.stop() == 0, daemon.log()


def test_serve_shows_its_icon_and_the_state_while_dictating(
    tray_daemon: RunningDaemon, x_tray: XTray, pulse: PulseAudio, tmp_path: Path
) -> None:
    wait_for(lambda: "tray icon running" in tray_daemon.log(), timeout=30)
    wait_for(lambda: "hotkeys are ready" in tray_daemon.log(), timeout=30)
    screenshot = tmp_path / "idle.png"
    assert colour_becomes(x_tray, TrayState.IDLE, screenshot) is not None
    assert screenshot.exists()
    speech = speak("Heart rate is regular.", tmp_path / "speech.wav")
    x_tray_env = {"DISPLAY": x_tray.name}
    import os
    import subprocess

    env = {**os.environ, **x_tray_env}
    subprocess.run(["xdotool", "keydown", "ctrl+alt+space"], env=env, check=True)
    try:
        colour = colour_becomes(x_tray, TrayState.LISTENING, tmp_path / "listening.png")
        assert colour is not None
        assert "agent listening" in tray_daemon.log()
        pulse.play(speech)
    finally:
        subprocess.run(["xdotool", "keyup", "space", "ctrl", "alt"], env=env, check=True)
    wait_for(
        lambda: "dictation inserted" in tray_daemon.log() or "agent idle" in tray_daemon.log(),
        timeout=60,
    )
    assert colour_becomes(x_tray, TrayState.IDLE) is not None


def test_quit_from_the_menu_stops_the_daemon_cleanly(isolated_home: Path, display: XTray) -> None:
    # In this process pystray stays on the backend it was first imported with:
    # the xorg one of the `display` fixture (test_menu_clicks drives GTK's in `serve`).
    write_config(isolated_home, CONFIG + "[speech]\nload_at_start = false\n")
    paths = Paths.from_env()
    paths.ensure()
    settings = Settings.model_validate(
        {
            "server": {"port": 0},
            "speech": {"load_at_start": False},
            "llm": {"load_at_start": False},
            "hotkeys": {"audio_cues": False},
        }
    )
    session = DesktopSession(settings)
    served = threading.Event()

    async def main(stop: asyncio.Event) -> None:
        served.set()
        await async_serve(settings, paths, stop, session.start_agent)

    def press_quit() -> None:
        wait_for(lambda: paths.runtime_file.exists() and session.tray.icon is not None, timeout=30)
        wait_for(lambda: session.tray.flush(0.5), timeout=30)
        find(session.tray.menu, "Quit")(session.tray.icon)

    clicker = threading.Thread(target=press_quit)
    clicker.start()
    session.run(main)  # the tray on this (main) thread, as in `sottovoce serve`
    clicker.join(10)
    assert served.is_set()
    assert not paths.runtime_file.exists()  # the server shut down and cleaned up
    # pystray's xorg icon closes its X connection when collected: do it while X runs.
    gc.collect()
