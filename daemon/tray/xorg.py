"""Fixes for pystray 0.19's xorg backend, which the tray relies on under plain X11."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from daemon.tray.backend import backend_name


def icon_class(pystray: ModuleType) -> Any:
    """The Icon class to use with this pystray backend."""
    if backend_name(pystray) != "xorg":
        return pystray.Icon
    return _steady(pystray.Icon)


def _steady(base: Any) -> Any:
    class SteadyXorgIcon(base):  # type: ignore[misc,valid-type]
        """pystray's xorg Icon, docking once per tray manager and never stranding a request.

        pystray runs these methods on its loop thread when another thread asks
        (it posts a ClientMessage and waits). python-xlib's flush() returns
        without sending when another thread is still marked as the sender, and
        that thread may finish without picking the new request up: the window
        destroy in _stop then never reaches the server and run() never returns
        (seen here about once in ten stops). sync() waits for a reply, so it
        keeps sending until the request is out.
        """

        def __del__(self) -> None:
            # pystray's __del__ closes a display that a failed __init__ never opened.
            if hasattr(self, "_display"):
                super().__del__()

        def _show(self) -> None:
            super()._show()
            self._display.sync()

        def _update_icon(self) -> None:
            super()._update_icon()
            self._display.sync()

        def _update_title(self) -> None:
            super()._update_title()
            self._display.sync()

        def _stop(self) -> None:
            super()._stop()
            self._display.sync()

        def _dock_window(self) -> None:
            # pystray asks to be docked on every show and icon change. Each
            # request makes the tray host (trayer, stalonetray) embed the window
            # in a fresh socket and abandon the old one. Only ask when not
            # embedded in the current manager: at start, or after a new tray
            # host took the selection.
            owner = self._get_systray_manager()
            docked = self._systray_manager
            if owner is not None and docked is not None and owner.id == docked.id:
                return
            super()._dock_window()

    return SteadyXorgIcon
