"""pystray's GTK backend (a GtkStatusIcon in an XEmbed tray) with the menu on either click."""

from __future__ import annotations

from typing import Any

#: The program name GTK gives the icon's and the menu's windows (WM_CLASS).
PROGRAM_NAME = "sottovoce"


def gtk_icon_class(base: Any) -> Any:
    """A subclass of pystray's GTK Icon whose left click opens the menu too.

    pystray runs the menu's default item on a left click and pops the menu
    only on a right click; tray hosts differ in which button they pass on,
    and a user expects a click on the icon to show the menu.
    """
    from gi.repository import GLib

    GLib.set_prgname(PROGRAM_NAME)

    class MenuOnClickIcon(base):  # type: ignore[misc,valid-type]
        def _on_status_icon_activate(self, status_icon: Any) -> None:
            from gi.repository import Gtk

            self._on_status_icon_popup_menu(status_icon, 1, Gtk.get_current_event_time())

    return MenuOnClickIcon
