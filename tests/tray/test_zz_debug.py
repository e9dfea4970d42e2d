import logging, threading
from collections.abc import Iterator
import pytest
from daemon.tray import Tray
from tests.tray.fakes import FakeController
from tests.tray.xtray import XTray, wait_for


class L:
    def warning(self, fmt, *a):
        with open(f"/tmp/traytry/ev.txt", "a") as f:
            f.write((fmt % a) + "\n")


log = L()


@pytest.mark.parametrize("n", range(8))
def test_cycle(display: XTray, n: int) -> None:
    import pystray._xorg as px

    orig = px.Icon._events

    def events(self):
        for e in orig(self):
            log.warning(
                "event %s win=%s", type(e).__name__, getattr(e, "window", None) and e.window.id
            )
            yield e

    px.Icon._events = events
    log.warning("---- %s", n)
    tray = Tray(FakeController())
    th = threading.Thread(target=tray.run)
    th.start()
    assert tray.flush()
    log.warning("icon window %s", tray.icon._window.id)
    log.warning("found %s", display.tray_icon())
    log.warning("stop")
    tray.stop()
    th.join(3)
    px.Icon._events = orig
    assert not th.is_alive()
