"""The tray icon: pystray's loop on the calling thread, every change applied by one worker."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PIL import Image

from hotkeys.notify import DesktopNotices, Notices
from hotkeys.tray.backend import backend_name, load_pystray
from hotkeys.tray.classes import icon_class
from hotkeys.tray.icons import load_icon
from hotkeys.tray.menu import build_menu
from hotkeys.tray.model import TrayController, TrayError, TrayState

log = logging.getLogger(__name__)

TOOLTIP_LIMIT = 120
WORKER_JOIN_S = 5.0


class _Refresh:
    """Apply the current state to the icon."""


class _Stop:
    """Stop pystray's loop."""


class _Marker:
    """Reached once everything queued before it has been applied."""

    def __init__(self) -> None:
        self.reached = threading.Event()


_Job = _Refresh | _Stop | _Marker


def _latin1(text: str) -> str:
    # The xorg backend stores the tooltip as an X STRING property, which only
    # takes latin-1; anything else would raise inside pystray.
    return text.encode("latin-1", "replace").decode("latin-1")


class Tray:
    """A system tray icon showing the daemon's state, with its menu.

    `run()` blocks the thread that calls it (the main thread: macOS requires
    it) in pystray's loop. Everything else may be called from any thread and
    returns at once: changes are queued and applied, in order, by a worker
    thread, so the event loop never waits on the X server.
    """

    def __init__(
        self, controller: TrayController, title: str = "Sottovoce", notices: Notices | None = None
    ) -> None:
        self._pystray = load_pystray()
        # Notifications go over D-Bus (desktop-notifier), not through pystray:
        # its xorg backend has none, and a notice must not wait on the tray.
        self._notices = notices if notices is not None else DesktopNotices()
        self._failed: set[str] = set()
        self._controller = controller
        self._title = title
        self._images = {state: load_icon(state) for state in TrayState}
        self._lock = threading.Lock()
        self._state = TrayState.IDLE
        self._detail = ""
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._loop_ended = threading.Event()
        self._icon: Any = None
        self._menu = build_menu(self._pystray, controller, self.state_line, self.stop)

    @property
    def backend(self) -> str:
        """The pystray backend in use (xorg, gtk, appindicator, win32, darwin)."""
        return backend_name(self._pystray)

    @property
    def state(self) -> TrayState:
        """The state last set."""
        with self._lock:
            return self._state

    @property
    def detail(self) -> str:
        """The detail last set with the state."""
        with self._lock:
            return self._detail

    @property
    def icon_image(self) -> Image.Image:
        """The image for the state last set."""
        return self._images[self.state]

    @property
    def tooltip(self) -> str:
        """The tooltip for the state last set."""
        with self._lock:
            state, detail = self._state, self._detail
        text = f"{self._title} - {state.label}" + (f": {detail}" if detail else "")
        return _latin1(text[:TOOLTIP_LIMIT])

    @property
    def menu(self) -> Any:
        """The pystray.Menu (tests invoke its items through pystray's API)."""
        return self._menu

    @property
    def icon(self) -> Any:
        """The pystray.Icon while `run()` is running, else None."""
        return self._icon

    def state_line(self) -> str:
        """The text of the menu's first item: the state and its detail."""
        with self._lock:
            state, detail = self._state, self._detail
        return state.label + (f": {detail}" if detail else "")

    def set_state(self, state: TrayState, detail: str = "") -> None:
        """Show `state` (icon, tooltip, menu); returns at once, from any thread."""
        with self._lock:
            self._state = state
            self._detail = detail
        self._jobs.put(_Refresh())

    def notify(self, title: str, message: str) -> None:
        """Show a desktop notification; returns at once, from any thread."""
        if not self._stopping.is_set():
            self._notices.notify(title, message)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every change queued so far is applied; False if not within `timeout`."""
        if self._loop_ended.is_set():
            return False
        marker = _Marker()
        self._jobs.put(marker)
        return marker.reached.wait(timeout)

    def stop(self) -> None:
        """Make `run()` return; returns at once, from any thread or a signal handler."""
        self._stopping.set()
        self._jobs.put(_Stop())

    def run(self) -> None:
        """Show the icon and handle its events until `stop()`; call it on the main thread."""
        if self._stopping.is_set():
            return
        try:
            icon = icon_class(self._pystray)(
                "sottovoce", self.icon_image, title=self.tooltip, menu=self._menu
            )
        except Exception as error:
            log.debug("pystray icon creation failed: %r", error)
            raise TrayError("the system tray icon could not be created") from None
        self._icon = icon
        worker = threading.Thread(
            target=self._apply_jobs, args=(icon,), name="tray-updates", daemon=True
        )
        worker.start()
        log.info("tray icon running (pystray %s backend)", self.backend)
        if self.backend == "xorg":
            log.warning(
                "pystray's xorg backend shows the state but has no menu and ignores clicks: "
                "install PyGObject with GTK 3 (installers/install.sh) for the tray's menu"
            )
        try:
            icon.run(setup=self._show)
        finally:
            self._loop_ended.set()
            self._ready.set()
            self._stopping.set()
            self._jobs.put(_Stop())
            worker.join(WORKER_JOIN_S)
            if worker.is_alive():
                log.warning("tray update thread did not finish")
            self._icon = None
            self._notices.close()

    def _show(self, icon: Any) -> None:
        # Runs in pystray's setup thread once its loop is ready to take calls.
        try:
            icon.visible = True
        except Exception:
            log.exception("tray icon could not be shown")
        finally:
            self._ready.set()

    def _apply_jobs(self, icon: Any) -> None:
        self._ready.wait()
        while True:
            job = self._jobs.get()
            if isinstance(job, _Stop):
                # After the loop has ended, pystray's xorg calls would wait
                # forever for a loop that no longer answers.
                if not self._loop_ended.is_set():
                    self._call(icon.stop, "stop")
                self._release_markers()
                return
            if isinstance(job, _Marker):
                job.reached.set()
            else:
                self._call(lambda: self._apply_state(icon), "update")

    def _apply_state(self, icon: Any) -> None:
        icon.icon = self.icon_image
        icon.title = self.tooltip
        icon.update_menu()

    def _release_markers(self) -> None:
        # Anyone waiting in flush() learns that nothing more will be applied.
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if isinstance(job, _Marker):
                job.reached.set()

    def _call(self, operation: Callable[[], object], name: str) -> None:
        try:
            operation()
        except Exception as error:
            # Once, without a traceback: with no tray host every state change
            # fails the same way, and the log would fill with the same trace.
            if name in self._failed:
                log.debug("tray %s failed again: %r", name, error)
                return
            self._failed.add(name)
            log.warning(
                "tray %s failed (%s: %s); later failures are not logged",
                name,
                type(error).__name__,
                error,
            )
