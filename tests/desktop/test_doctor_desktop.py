"""`sottovoce doctor` on the desktop: the tray backend and the notification server, found for real."""

from __future__ import annotations

from pathlib import Path

from tests.desktop.session_bus import Dunst, SessionBus
from tests.doctor.helpers import run_doctor
from tests.hotkeys.xapps import Xvfb


def test_doctor_names_the_notification_server_and_a_tray_with_a_menu(
    isolated_home: Path, xvfb: Xvfb, dunst: Dunst, bus: SessionBus
) -> None:
    report = run_doctor(
        isolated_home, env={"DISPLAY": xvfb.name, "DBUS_SESSION_BUS_ADDRESS": bus.address}
    )
    notifications = report.check("notifications")
    assert notifications["status"] == "ok"
    assert "dunst" in notifications["detail"]
    tray = report.check("tray")
    assert tray["status"] == "ok"
    assert "gtk" in tray["detail"]


def test_doctor_warns_when_warnings_cannot_be_shown_and_the_tray_has_no_menu(
    isolated_home: Path, xvfb: Xvfb, tmp_path: Path
) -> None:
    empty = SessionBus(tmp_path)  # nobody serves notifications on this bus
    try:
        report = run_doctor(
            isolated_home,
            env={
                "DISPLAY": xvfb.name,
                "DBUS_SESSION_BUS_ADDRESS": empty.address,
                "PYSTRAY_BACKEND": "xorg",
            },
        )
    finally:
        empty.close()
    notifications = report.check("notifications")
    assert notifications["status"] == "warn"
    assert "only reach the log" in notifications["detail"]
    assert "dunst" in notifications["fix"]
    tray = report.check("tray")
    assert tray["status"] == "warn"
    assert "no menu" in tray["detail"]


def test_without_a_display_the_tray_and_notifications_are_information(isolated_home: Path) -> None:
    report = run_doctor(isolated_home)
    assert report.status("tray") == "info"
    assert report.status("notifications") == "info"
