"""Loading pystray, which picks its backend (and needs a display) when first imported."""

from __future__ import annotations

import logging
import os
import sys
from types import ModuleType

from daemon.tray.model import TrayError

log = logging.getLogger(__name__)


def load_pystray() -> ModuleType:
    """The pystray module; raises TrayError when no backend can start.

    pystray chooses its backend at import time (PYSTRAY_BACKEND, else
    appindicator, gtk, xorg on Linux) and its xorg backend opens the display
    then, raising Xlib errors rather than ImportError when there is none.
    """
    try:
        import pystray
    except Exception as error:
        log.debug("pystray cannot start: %r", error)
        raise TrayError("no system tray is available (no display or no tray backend)") from None
    module: ModuleType = pystray
    return module


def backend_name(pystray: ModuleType) -> str:
    """The backend pystray chose: appindicator, gtk, xorg, win32, darwin or dummy."""
    module = str(pystray.Icon.__module__)
    return module.rsplit(".", 1)[-1].lstrip("_")


def tray_available() -> bool:
    """Whether a tray icon can be shown: a display exists and a pystray backend starts."""
    if sys.platform not in ("win32", "darwin") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    try:
        load_pystray()
    except TrayError:
        return False
    return True
