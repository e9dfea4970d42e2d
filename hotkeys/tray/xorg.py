"""Fixes for pystray 0.19's xorg backend, which the tray relies on under plain X11."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from hotkeys.tray.icons import flatten
from hotkeys.tray.model import TrayError

log = logging.getLogger(__name__)

# The methods pystray's xorg Icon runs on its loop thread when another thread
# calls them; it registered a ClientMessage handler for each under this atom.
LOOP_METHODS = ("_show", "_hide", "_update_icon", "_update_title", "_stop")
REPLY_POLL_S = 0.5


def _atom_name(method: str) -> str:
    return f"_PYSTRAY_{method.upper()}"


def steady_icon_class(base: Any) -> Any:
    """pystray's xorg Icon class, fixed (see SteadyXorgIcon)."""
    from Xlib import X
    from Xlib.display import Display
    from Xlib.protocol import event

    class SteadyXorgIcon(base):  # type: ignore[misc,valid-type]
        """pystray's xorg Icon, with one thread per X connection and one dock per tray host.

        pystray posts its cross-thread calls on the loop's own connection from
        the calling thread, while the loop thread reads from it. python-xlib's
        threaded mode then strands requests or leaves the loop waiting for a
        reply lock nobody releases (seen here: a stop that never ends, an
        expose that hangs). Here the calling thread posts through a connection
        of its own; only the loop thread ever touches the loop's connection.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for method in LOOP_METHODS:
                setattr(self, method, self._dispatcher(method))

        def __del__(self) -> None:
            # pystray's __del__ closes a display that a failed __init__ never opened.
            if hasattr(self, "_display"):
                super().__del__()

        def _dispatcher(self, method: str) -> Callable[[], None]:
            run_here = getattr(type(self), method).__get__(self)
            atom = self._display.intern_atom(_atom_name(method))
            name = self._display.get_display_name()

            def dispatch() -> None:
                loop = getattr(self, "_thread", None)
                if loop is not None and loop.ident == threading.get_ident():
                    run_here()
                    return
                self._post(name, atom)
                self._await_reply(method)

            return dispatch

        def _post(self, display_name: str, atom: int) -> None:
            display = Display(display_name)
            errors: list[object] = []
            display.set_error_handler(lambda error, request: errors.append(error))
            try:
                window = display.create_resource_object("window", self._window.id)
                message = event.ClientMessage(
                    window=window, client_type=atom, data=(32, (X.CurrentTime, 0, 0, 0, 0))
                )
                # No event mask: the server hands it to the window's creator, the loop.
                window.send_event(message, event_mask=X.NoEventMask)
                display.sync()
            finally:
                display.close()
            if errors:
                raise TrayError("the tray icon's window is gone")

        def _await_reply(self, method: str) -> None:
            while True:
                try:
                    result = self._queue.get(timeout=REPLY_POLL_S)
                    break
                except queue.Empty:
                    loop = getattr(self, "_thread", None)
                    if loop is not None and not loop.is_alive():
                        raise TrayError("the tray icon's event loop has ended") from None
            if result is not True:
                # pystray replies with the exception's sys.exc_info().
                raise result[1]

        def _show(self) -> None:
            if self._without_host():
                return
            super()._show()

        def _update_icon(self) -> None:
            if self._without_host():
                return
            super()._update_icon()

        def _without_host(self) -> bool:
            # With no tray host pystray logs "Failed to dock icon" with a
            # traceback on every state change; say it once, and dock at the
            # first change after a host has appeared.
            if self._get_systray_manager() is not None:
                self._told_no_host = False
                return False
            if not getattr(self, "_told_no_host", False):
                self._told_no_host = True
                log.warning("no system tray on this display: the icon is not shown until one runs")
            return True

        def _assert_icon_data(self, width: int, height: int) -> None:
            cached: Any = getattr(self, "_icon_data", None)
            if cached and cached.size == (width, height):
                return
            data: Any = flatten(self._icon, (width, height))
            data.tostring = data.tobytes  # what pystray reads
            self._icon_data = data

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
