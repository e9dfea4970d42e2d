"""A desktop session: the tray on the main thread, the event loop in a thread beside it.

pystray must own the main thread (macOS requires it); the asyncio loop runs the
server and/or the agent in a thread. Quitting from the menu, SIGINT or SIGTERM
stop both; without a tray backend the loop simply runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from daemon.client import DaemonAddress
from daemon.config import Settings
from hotkeys.agent import Agent
from hotkeys.tray import Tray, TrayError, TrayState
from hotkeys.tray_controller import ApiController
from hotkeys.ui import AgentState, LogUI

log = logging.getLogger(__name__)

LoopMain = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class TrayUI(LogUI):
    """AgentUI shown by the tray (and logged, like LogUI)."""

    def __init__(self, tray: Tray) -> None:
        super().__init__()
        self._tray = tray

    def set_state(self, state: AgentState, detail: str = "") -> None:
        super().set_state(state, detail)
        self._tray.set_state(TrayState(state), detail)

    def notify(self, title: str, message: str) -> None:
        super().notify(title, message)
        self._tray.notify(title, message)


class _LateController:
    """Forwards to the ApiController once the loop has created it (the tray exists first)."""

    def __init__(self) -> None:
        self.target: ApiController | None = None

    def __getattr__(self, name: str) -> Any:
        if self.target is None:
            return _NOT_READY.get(name, lambda *args: None)
        return getattr(self.target, name)


_NOT_READY: dict[str, Callable[..., Any]] = {
    "status_line": lambda: "starting",
    "paused": lambda: False,
    "speech_models": list,
    "llm_models": list,
    "presets": list,
    "current_speech_model": str,
    "current_llm_model": str,
    "default_preset": str,
}


class DesktopSession:
    """Runs `main(stop)` on an event loop thread and the tray on the calling thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._controller = _LateController()
        self.tray = Tray(self._controller)  # type: ignore[arg-type]
        self.ui = TrayUI(self.tray)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def run(self, main: LoopMain) -> None:
        """Block until quit; exceptions from `main` are raised here."""
        started = threading.Event()
        failure: list[BaseException] = []

        async def loop_main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            started.set()
            try:
                await main(self._stop)
            finally:
                self.tray.stop()

        def loop_thread() -> None:
            try:
                asyncio.run(loop_main())
            except BaseException as error:
                failure.append(error)
            finally:
                started.set()
                self.tray.stop()

        thread = threading.Thread(target=loop_thread, name="event-loop")
        thread.start()
        started.wait()
        previous = {
            s: signal.signal(s, lambda *_: self.tray.stop())
            for s in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.tray.run()
        except TrayError as error:
            log.warning("%s; running without a tray icon", error)
            thread.join()
        finally:
            self.request_stop()
            thread.join()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if failure:
            raise failure[0]

    def request_stop(self) -> None:
        """Stop the loop's main (from any thread)."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stop.set)

    def start_agent(self, address: Callable[[], DaemonAddress]) -> asyncio.Task[None]:
        """Create the agent and its tray controller; run both on the loop."""
        agent = Agent(self.settings, address, self.ui)
        controller = ApiController(
            asyncio.get_running_loop(), agent, address, self.ui, self.request_stop
        )
        self._controller.target = controller
        return asyncio.create_task(
            self._run_agent(agent, controller, address), name="desktop-agent"
        )

    async def _run_agent(
        self, agent: Agent, controller: ApiController, address: Callable[[], DaemonAddress]
    ) -> None:
        # The menu follows the agent's DaemonMonitor: one health poll for both, and the
        # menu's models and presets are fetched again only when the daemon's state changed.
        changed = asyncio.Event()
        unsubscribe = agent.monitor.subscribe(lambda _status: changed.set())

        async def refresh() -> None:
            async with address().session() as session:
                while True:
                    await changed.wait()
                    changed.clear()
                    await controller.async_refresh(session, agent.monitor.status)

        refresher = asyncio.create_task(refresh())
        try:
            await agent.async_run()
        finally:
            unsubscribe()
            refresher.cancel()
