"""Display server, hotkey backend, clipboard hygiene and microphone, on real servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.bench.desktop import MICROPHONE
from tests.doctor.helpers import run_doctor
from tests.hotkeys.xapps import Xvfb
from tests.support.daemon import write_config
from tests.support.pulse import PulseAudio


def test_without_a_display_the_daemon_is_api_only(isolated_home: Path) -> None:
    report = run_doctor(isolated_home)
    display = report.check("display")
    assert display["status"] == "info"
    assert "API only" in display["detail"]
    assert report.status("hotkeys") == "info"
    assert "off" in report.check("hotkeys")["detail"]
    assert report.status("clipboard") == "info"


@pytest.mark.x11
def test_x11_display_enables_xorg_hotkeys_and_clipboard_hygiene(
    isolated_home: Path, xvfb: Xvfb
) -> None:
    report = run_doctor(isolated_home, env={"DISPLAY": xvfb.name})
    assert report.check("display") == {
        "name": "display",
        "status": "ok",
        "detail": f"X11 on {xvfb.name}",
        "fix": None,
    }
    assert report.status("hotkeys") == "ok"
    assert "xorg" in report.check("hotkeys")["detail"]
    clipboard = report.check("clipboard")
    assert clipboard["status"] == "ok"
    assert "x-kde-passwordManagerHint" in clipboard["detail"]


@pytest.mark.x11
def test_hotkeys_off_in_config_is_reported(isolated_home: Path, xvfb: Xvfb) -> None:
    write_config(isolated_home, "[hotkeys]\nenabled = false\n")
    hotkeys = run_doctor(isolated_home, env={"DISPLAY": xvfb.name}).check("hotkeys")
    assert hotkeys["status"] == "info"
    assert "hotkeys.enabled = false" in hotkeys["detail"]


def test_wayland_is_reported_honestly(isolated_home: Path) -> None:
    report = run_doctor(isolated_home, env={"WAYLAND_DISPLAY": "wayland-0"})
    assert report.check("display")["detail"].startswith("Wayland")
    hotkeys = report.check("hotkeys")
    assert hotkeys["status"] == "warn"
    assert "global hotkeys" in hotkeys["detail"]
    assert report.status("clipboard") == "warn"
    assert "Wayland" in report.check("clipboard")["detail"]


@pytest.mark.audio
def test_microphone_found_on_the_sound_server(isolated_home: Path, pulse: PulseAudio) -> None:
    microphone = run_doctor(isolated_home, env=pulse.env).check("microphone")
    assert microphone["status"] == "ok"
    # The source behind PortAudio's "default" device, not "default (32 channels)".
    assert MICROPHONE in microphone["detail"]
    assert "32 channels" not in microphone["detail"]


@pytest.mark.audio
def test_configured_microphone_that_does_not_exist_warns(
    isolated_home: Path, pulse: PulseAudio
) -> None:
    write_config(isolated_home, '[hotkeys]\nmicrophone = "no-such-microphone"\n')
    microphone = run_doctor(isolated_home, env=pulse.env).check("microphone")
    assert microphone["status"] == "warn"
    assert "no-such-microphone" in microphone["detail"]
    assert "hotkeys.microphone" in microphone["fix"]
