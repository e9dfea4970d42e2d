"""Desktop notifications: the agent's warnings on the user's screen, through desktop-notifier.

desktop-notifier is maintained and covers the three platforms (D-Bus
org.freedesktop.Notifications on Linux, the Notification Center on macOS,
WinRT toasts on Windows). Its D-Bus connection belongs to one event loop, and
warnings come from the agent's loop and from pystray's thread: so notices get
a loop of their own, on a thread, and `notify` only hands a notice over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import Future
from typing import Protocol

from desktop_notifier import DesktopNotifier, Icon

from daemon.assets import asset_path
from hotkeys.notify_server import async_notification_server

log = logging.getLogger(__name__)
# It logs every notification it sends, text included, at debug level; a
# notice may quote the user's text, which never goes to the logs.
logging.getLogger("desktop_notifier").setLevel(logging.WARNING)

APP_NAME = "Sottovoce"
SEND_TIMEOUT_S = 10.0


class Notices(Protocol):
    """Where the agent's notices go; `notify` returns at once, from any thread."""

    def notify(self, title: str, message: str) -> object:
        """Show a notice to the user."""

    def close(self) -> None:
        """Stop showing notices and release what showing them holds."""


class DesktopNotices:
    """Desktop notifications on a private loop thread, started with the first notice."""

    def __init__(self, app_name: str = APP_NAME) -> None:
        self._app_name = app_name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._notifier: DesktopNotifier | None = None
        self._server: str | None = None
        self._told_unavailable = False
        self._closed = False

    def notify(self, title: str, message: str) -> Future[bool] | None:
        """Hand a notice to the notification thread; the future says whether it was shown."""
        loop = self._running_loop()
        if loop is None:
            return None
        return asyncio.run_coroutine_threadsafe(self._async_send(title, message), loop)

    def close(self) -> None:
        """Stop the notification thread (notices handed over and not yet sent are dropped)."""
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._async_disconnect(), loop).result(
                    SEND_TIMEOUT_S
                )
            loop.call_soon_threadsafe(loop.stop)
            thread.join(SEND_TIMEOUT_S)

    async def _async_disconnect(self) -> None:
        # desktop-notifier keeps its D-Bus connection open for the process's
        # life and has no close(); its D-Bus backend holds it as `bus`.
        bus = getattr(getattr(self._notifier, "_backend", None), "bus", None)
        if bus is not None:
            bus.disconnect()
            await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]

    def _running_loop(self) -> asyncio.AbstractEventLoop | None:
        with self._lock:
            if self._closed:
                return None
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=self._run, args=(loop,), name="notifications", daemon=True
                )
                self._loop, self._thread = loop, thread
                thread.start()
            return self._loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _async_send(self, title: str, message: str) -> bool:
        if self._server is None:
            # Asked again while none answers: a notification daemon may start later.
            self._server = await async_notification_server()
            if self._server is None:
                if not self._told_unavailable:
                    self._told_unavailable = True
                    log.warning(
                        "no desktop notification server answers: warnings go to the log only"
                    )
                return False
            log.info("desktop notifications are shown by %s", self._server)
        if self._notifier is None:
            self._notifier = DesktopNotifier(
                app_name=self._app_name, app_icon=Icon(path=asset_path("icons") / "idle.png")
            )
        try:
            await asyncio.wait_for(self._notifier.send(title, message), SEND_TIMEOUT_S)
        except (asyncio.TimeoutError, OSError) as error:
            log.warning("a desktop notification could not be sent (%s)", type(error).__name__)
            self._server = None
            return False
        return True
