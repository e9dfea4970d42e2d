"""Loading pystray on the backend with the most features this desktop can run.

pystray picks its backend when first imported (PYSTRAY_BACKEND, else
appindicator, gtk, xorg on Linux). Left to itself it takes appindicator
whenever the library is installed, even where no StatusNotifierItem host
listens (the icon then never appears under an XEmbed tray such as trayer or
stalonetray), and falls back to xorg, which has no menu and ignores clicks.
So on Linux the choice is made here first: appindicator where a
StatusNotifierWatcher owns its D-Bus name, GTK's status icon (XEmbed) where
GTK starts, xorg only when PyGObject is missing.
"""

from __future__ import annotations

import logging
import os
import sys
from types import ModuleType

from hotkeys.tray.model import TrayError

log = logging.getLogger(__name__)

BACKEND_ENV = "PYSTRAY_BACKEND"
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
DBUS_TIMEOUT_MS = 2000


def choose_backend() -> str | None:
    """The pystray backend to use on this desktop; None where pystray's own choice is right."""
    if sys.platform in ("win32", "darwin"):
        return None
    if os.environ.get(BACKEND_ENV):
        return os.environ[BACKEND_ENV]
    if not _gtk_starts():
        return "xorg"
    return "appindicator" if _has_appindicator() and _status_notifier_host() else "gtk"


def _gtk_starts() -> bool:
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        from gi.repository import Gtk
    except (ImportError, ValueError):
        return False
    from hotkeys.tray.gtk import name_the_program

    name_the_program()
    return bool(Gtk.init_check()[0])


def _has_appindicator() -> bool:
    import gi

    for name in ("AyatanaAppIndicator3", "AppIndicator3"):
        try:
            gi.require_version(name, "0.1")
        except ValueError:
            continue
        return True
    return False


def _status_notifier_host() -> bool:
    """Whether a StatusNotifierItem host (KDE, GNOME's extension, waybar...) is on the session bus."""
    from gi.repository import Gio, GLib

    try:
        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = bus.call_sync(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            GLib.Variant("(s)", (SNI_WATCHER,)),
            GLib.VariantType("(b)"),
            Gio.DBusCallFlags.NONE,
            DBUS_TIMEOUT_MS,
            None,
        )
    except GLib.Error as error:
        log.debug("no session bus to look for a StatusNotifierItem host: %s", error.message)
        return False
    return bool(reply.unpack()[0])


def load_pystray() -> ModuleType:
    """The pystray module on the chosen backend; raises TrayError when no backend can start.

    pystray's xorg backend opens the display when imported, raising Xlib
    errors rather than ImportError when there is none.
    """
    backend = choose_backend()
    if backend is not None and not os.environ.get(BACKEND_ENV):
        os.environ[BACKEND_ENV] = backend
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
