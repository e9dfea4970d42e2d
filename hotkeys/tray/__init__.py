"""System tray: the daemon's state as an icon, and a menu driving it through a controller."""

from hotkeys.tray.app import Tray
from hotkeys.tray.backend import tray_available
from hotkeys.tray.icons import draw_icon, load_icon
from hotkeys.tray.model import TrayController, TrayError, TrayState

__all__ = [
    "Tray",
    "TrayController",
    "TrayError",
    "TrayState",
    "draw_icon",
    "load_icon",
    "tray_available",
]
