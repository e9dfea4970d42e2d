"""The desktop agent as the daemon's plugin: registered under the `sottovoce.desktop` entry point.

The daemon never imports `hotkeys`; its entry points (`serve`, `agent`,
`doctor`) load `DESKTOP` through daemon.desktop.load_desktop and hand it
what to run beside the tray.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable

from daemon.client import DaemonAddress
from daemon.config import Settings
from daemon.desktop import AgentStarter, LoopMain
from hotkeys.notify import DesktopNotices


class PlatformProbe:
    """daemon.desktop.DesktopProbe on this platform's code (imported on use: X11 may be absent)."""

    def x11_extensions(self, display: str) -> frozenset[str] | None:
        from hotkeys.x11.connection import DisplayError, open_display

        try:
            connection = open_display(display)
        except DisplayError:
            return None
        try:
            return frozenset(connection.list_extensions())
        finally:
            connection.close()

    def clipboard_available(self, display: str) -> bool:
        from hotkeys.x11.clipboard import X11Clipboard

        return X11Clipboard(display).is_available()

    def notifications(self) -> str | None:
        from hotkeys.notify_server import notification_server

        return notification_server()

    def agent_pid(self, display: str) -> int | None:
        from hotkeys.x11.connection import DisplayError
        from hotkeys.x11.instance import running_agent

        try:
            return running_agent(display)
        except DisplayError:
            return None

    def tray_backend(self) -> str | None:
        from hotkeys.tray.backend import backend_name, load_pystray
        from hotkeys.tray.model import TrayError

        try:
            return backend_name(load_pystray())
        except TrayError:
            return None


class AgentDesktop:
    """daemon.desktop.Desktop: the tray on the calling thread when one can be shown."""

    @property
    def probe(self) -> PlatformProbe:
        return PlatformProbe()

    def run(self, settings: Settings, main: LoopMain) -> None:
        from hotkeys.tray import tray_available

        if tray_available():
            from hotkeys.session import DesktopSession

            session = DesktopSession(settings)
            session.run(lambda stop: main(stop, session.start_agent))
            return
        asyncio.run(self._without_tray(settings, main))

    @staticmethod
    async def _without_tray(settings: Settings, main: LoopMain) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Windows, or not the main thread: the caller stops us instead.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        notices = DesktopNotices()
        try:
            await main(stop, _starter(settings, notices))
        finally:
            await asyncio.to_thread(notices.close)


def _starter(settings: Settings, notices: DesktopNotices) -> AgentStarter:
    """Start the agent with its states in the log and its notices on the desktop."""

    def start(address: Callable[[], DaemonAddress]) -> asyncio.Task[None]:
        from hotkeys.agent import Agent
        from hotkeys.ui import LogUI

        return asyncio.create_task(Agent(settings, address, LogUI(notices)).async_run())

    return start


DESKTOP = AgentDesktop()
