"""A fix for pystray's xorg backend: dock once per tray manager, not on every change."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from daemon.tray.backend import backend_name


def icon_class(pystray: ModuleType) -> Any:
    """The Icon class to use with this pystray backend."""
    if backend_name(pystray) != "xorg":
        return pystray.Icon
    return _docked_once(pystray.Icon)


def _docked_once(base: Any) -> Any:
    # pystray 0.19's xorg Icon sends a dock request on every show and icon
    # change. Each one makes the tray host (trayer, stalonetray) embed the
    # window in a fresh socket and abandon the old one; trayer then crashes
    # when the icon goes away. A request is only needed when the window is not
    # embedded in the current tray manager: at start, or after a new manager
    # took the selection.
    class DockedOnceIcon(base):  # type: ignore[misc,valid-type]
        def _dock_window(self) -> None:
            owner = self._get_systray_manager()
            docked = self._systray_manager
            if owner is not None and docked is not None and owner.id == docked.id:
                return
            super()._dock_window()

    return DockedOnceIcon
