"""Which pystray backend the agent picks: AppIndicator only where a StatusNotifierItem host listens."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from hotkeys.tray.backend import SNI_WATCHER
from tests.desktop.session_bus import SessionBus
from tests.hotkeys.xapps import Xvfb, read_line, stop

# A stand-in host: it only owns the watcher's name, which is what the agent asks about.
OWN_NAME = """
import asyncio, sys
from dbus_fast.aio import MessageBus
async def main():
    bus = await MessageBus().connect()
    await bus.request_name(sys.argv[1])
    print("owned", flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


def chosen(xvfb: Xvfb, bus: SessionBus, **extra: str) -> str:
    env = {**os.environ, "DISPLAY": xvfb.name, "DBUS_SESSION_BUS_ADDRESS": bus.address, **extra}
    if "PYSTRAY_BACKEND" not in extra:
        env.pop("PYSTRAY_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", "from hotkeys.tray.backend import choose_backend as c; print(c())"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def watcher(bus: SessionBus) -> Iterator[None]:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.address}
    process = subprocess.Popen(
        [sys.executable, "-c", OWN_NAME, SNI_WATCHER], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert read_line(process.stdout, timeout=30) == "owned"
        yield
    finally:
        stop(process)
        assert process.stdout is not None
        process.stdout.close()


def test_gtk_status_icon_under_an_xembed_tray(xvfb: Xvfb, bus: SessionBus) -> None:
    assert chosen(xvfb, bus) == "gtk"


def test_appindicator_where_a_status_notifier_host_listens(
    xvfb: Xvfb, bus: SessionBus, watcher: None
) -> None:
    assert chosen(xvfb, bus) == "appindicator"


def test_the_user_choice_wins(xvfb: Xvfb, bus: SessionBus) -> None:
    assert chosen(xvfb, bus, PYSTRAY_BACKEND="xorg") == "xorg"
