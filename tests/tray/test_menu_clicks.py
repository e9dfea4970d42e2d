"""`sottovoce serve` under a real tray host: a click opens the menu, its entries act.

The daemon runs as a user runs it, in its own process (pystray on the GTK
backend, which the daemon picks itself under an XEmbed tray such as trayer),
on a private D-Bus session bus; everything is driven by real clicks and keys
through XTEST, and checked on screen, on the clipboard and in the process.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotkeys.tray import TrayState
from tests.desktop.session_bus import SessionBus
from tests.hotkeys.xapps import wait_for
from tests.support.daemon import RunningDaemon, start_daemon, write_config
from tests.support.daemon import wait_for as wait_until
from tests.support.pulse import PulseAudio
from tests.tray.test_app import colour_becomes, shown
from tests.tray.xtray import Rect, XTray

CONFIG = """
[hotkeys]
audio_cues = false
[speech]
load_at_start = false
[llm]
load_at_start = false
"""
TRANSIENT_HINT = "x-kde-passwordManagerHint"
EXIT_TIMEOUT_S = 30


@pytest.fixture
def served(
    tmp_path: Path, x_tray: XTray, pulse: PulseAudio, tray_bus: SessionBus
) -> Iterator[RunningDaemon]:
    home = tmp_path / "home"
    write_config(home, CONFIG)
    env = {"DISPLAY": x_tray.name, "DBUS_SESSION_BUS_ADDRESS": tray_bus.address}
    daemon = start_daemon(home, env={**env, **pulse.client_env}, wait_models=False)
    try:
        wait_until(lambda: "tray icon running" in daemon.log(), timeout=60)
        wait_until(lambda: "hotkeys are ready" in daemon.log(), timeout=60)
        yield daemon
    finally:
        daemon.stop()


def open_menu(x: XTray) -> Rect:
    """Click the icon; the menu it opens, found as a window."""
    icon = shown(x).rect
    x.click(icon.x + icon.width // 2, icon.y + icon.height // 2)
    menu = wait_for(x.menu, lambda m: m is not None, timeout=15)
    assert menu is not None, "a click on the icon opened no menu"
    return menu


def choose(x: XTray, *keys: str) -> None:
    """Pick an entry of the open menu with the keyboard, as a user can, and wait until it closes."""
    x.keys(*keys, "Return")
    assert wait_for(x.menu, lambda m: m is None, timeout=15) is None, "the menu stayed open"


def clipboard(x: XTray, target: str) -> bytes | None:
    done = subprocess.run(
        ["xclip", "-o", "-selection", "clipboard", "-t", target],
        env=x.env,
        capture_output=True,
        timeout=20,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def test_the_icon_corners_show_the_panel_not_black(
    served: RunningDaemon, x_tray: XTray, tmp_path: Path
) -> None:
    assert colour_becomes(x_tray, TrayState.IDLE) is not None
    icon = shown(x_tray).rect
    panel = x_tray.panel()
    assert panel is not None
    screen = x_tray.screenshot(tmp_path / "idle.png")
    background = screen.getpixel((panel.x + 1, panel.y + 1))
    assert background != (0, 0, 0)
    for corner in ((icon.x, icon.y), (icon.x + icon.width - 1, icon.y + icon.height - 1)):
        assert screen.getpixel(corner) == background, corner


def test_a_click_opens_the_menu_on_screen(
    served: RunningDaemon, x_tray: XTray, tmp_path: Path
) -> None:
    assert "pystray gtk backend" in served.log()
    menu = open_menu(x_tray)
    shot = x_tray.screenshot(tmp_path / "menu.png").crop(menu.box())
    colours = shot.getcolors(maxcolors=shot.width * shot.height)
    assert colours is not None
    # Not an empty or one-colour rectangle: a background with text on it.
    assert len(colours) > 4
    darkest = min(sum(colour) for _, colour in colours)
    lightest = max(sum(colour) for _, colour in colours)
    assert lightest - darkest > 300
    x_tray.keys("Escape")
    assert wait_for(x_tray.menu, lambda m: m is None, timeout=15) is None


def test_pause_stops_the_hotkeys_and_copy_token_marks_the_clipboard_transient(
    served: RunningDaemon, x_tray: XTray
) -> None:
    open_menu(x_tray)
    choose(x_tray, "Down")  # the first entry that can be chosen: Pause hotkeys
    wait_until(lambda: "agent paused" in served.log(), timeout=30)
    assert colour_becomes(x_tray, TrayState.PAUSED) is not None

    # Push-to-talk while paused: the agent does not listen. The copy below is
    # handled on the same event loop after this key, so its result comes later.
    x_tray.keys("ctrl+alt+space")
    open_menu(x_tray)
    # Pause, Speech model, Language model, Rewrite preset, Open history, Copy API token.
    choose(x_tray, *["Down"] * 6)
    token = wait_for(lambda: clipboard(x_tray, "UTF8_STRING"), lambda got: got is not None)
    assert token is not None, served.log()
    assert token.decode() == served.token
    targets = (clipboard(x_tray, "TARGETS") or b"").decode().split()
    assert TRANSIENT_HINT in targets
    assert clipboard(x_tray, TRANSIENT_HINT) == b"secret"
    assert "agent listening" not in served.log()


def test_quit_from_the_menu_stops_the_daemon_cleanly(served: RunningDaemon, x_tray: XTray) -> None:
    open_menu(x_tray)
    choose(x_tray, "Up")  # from the bottom: Quit
    assert served.process.wait(EXIT_TIMEOUT_S) == 0, served.log()
    assert not (served.home / "state" / "daemon.json").exists()
    assert wait_for(x_tray.tray_icon, lambda w: w is None, timeout=15) is None
