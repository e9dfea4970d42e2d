"""A private session bus with dunst on the shared Xvfb, for the notification tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.desktop.session_bus import Dunst, SessionBus, require_tools
from tests.hotkeys.xapps import Xvfb


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionBus]:
    """A D-Bus session bus of our own, started from nothing and stopped after."""
    require_tools()
    running = SessionBus(tmp_path_factory.mktemp("bus"))
    yield running
    running.close()


@pytest.fixture(scope="module")
def dunst(tmp_path_factory: pytest.TempPathFactory, xvfb: Xvfb, bus: SessionBus) -> Iterator[Dunst]:
    """dunst serving org.freedesktop.Notifications on that bus, logging what it shows."""
    running = Dunst(tmp_path_factory.mktemp("dunst"), xvfb.name, bus)
    yield running
    running.close()
