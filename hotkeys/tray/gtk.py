"""pystray's GTK-based backends (a GtkStatusIcon in an XEmbed tray, or an AppIndicator), fixed.

- A left click opens the menu too: pystray runs the menu's default item on a
  left click and pops the menu only on a right click, while a user expects a
  click on the icon to show the menu (and hosts differ in what they pass on).
- pystray connects to the session bus for notifications of its own when its
  loop starts, and the icon never shows where there is no bus; Sottovoce's
  notifications go through hotkeys/notify.py, so that connection is not made.
- pystray also resets SIGINT to the default there, which would kill the
  process on Ctrl+C instead of letting the desktop session stop cleanly.
"""

from __future__ import annotations

from typing import Any

#: The names GTK gives the icon's and the menu's windows (WM_CLASS), else "__main__.py".
PROGRAM_NAME = "sottovoce"
PROGRAM_CLASS = "Sottovoce"


def name_the_program() -> None:
    """Name the program for GTK; only takes effect before GTK opens the display."""
    import gi

    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk, GLib

    GLib.set_prgname(PROGRAM_NAME)
    Gdk.set_program_class(PROGRAM_CLASS)


class _NoNotifier:
    """Stands in for pystray's D-Bus notifier, which is never used."""

    def notify(self, title: str, message: str, icon: str) -> None:
        """Never called: Tray.notify goes through hotkeys.notify."""

    def hide(self) -> None:
        """Nothing is shown, nothing to hide."""


def gtk_icon_class(base: Any, menu_on_click: bool) -> Any:
    """A subclass of pystray's GTK or AppIndicator Icon with the fixes above."""

    class FixedGtkIcon(base):  # type: ignore[misc,valid-type]
        def _initialize(self) -> None:
            self._notifier = _NoNotifier()
            self._mark_ready()

        def _on_status_icon_activate(self, status_icon: Any) -> None:
            if not menu_on_click:
                super()._on_status_icon_activate(status_icon)
                return
            from gi.repository import Gtk

            self._on_status_icon_popup_menu(status_icon, 1, Gtk.get_current_event_time())

    return FixedGtkIcon
