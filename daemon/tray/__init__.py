"""System tray: the daemon's state as an icon, and a menu driving it through a controller."""

from daemon.tray.app import Tray
from daemon.tray.backend import tray_available
from daemon.tray.icons import draw_icon, load_icon
from daemon.tray.model import TrayController, TrayError, TrayState

__all__ = [
    "Tray",
    "TrayController",
    "TrayError",
    "TrayState",
    "draw_icon",
    "load_icon",
    "tray_available",
]
