"""The Icon class for the backend pystray runs on: each backend's fixes live in its own module."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from hotkeys.tray.backend import backend_name


def icon_class(pystray: ModuleType) -> Any:
    """The Icon class to use with this pystray backend."""
    backend = backend_name(pystray)
    if backend == "xorg":
        from hotkeys.tray.xorg import steady_icon_class

        return steady_icon_class(pystray.Icon)
    if backend in ("gtk", "appindicator"):
        from hotkeys.tray.gtk import gtk_icon_class

        return gtk_icon_class(pystray.Icon, menu_on_click=backend == "gtk")
    return pystray.Icon
