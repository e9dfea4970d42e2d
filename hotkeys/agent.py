"""The desktop agent: global hotkeys dispatched to the dictation and rewrite flows.

pynput's listener thread only hands events to the asyncio loop; everything that
blocks (X11 calls, typing, clipboard, opening the microphone) runs in worker
threads. The flows live in hotkeys.dictation and hotkeys.rewrite, the daemon's
health in hotkeys.monitor; this module wires them and owns their lifetime.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from daemon.client import DaemonAddress
from daemon.config import Settings
from hotkeys.backends import create_clipboard, create_keyboard
from hotkeys.bindings import PRESET_PREFIX, Edge, HotkeyListener, parse_bindings
from hotkeys.context import FlowContext
from hotkeys.cues import Cues
from hotkeys.dictation import DictationFlow, EscapeGrab
from hotkeys.errors import AgentRunningError, MicrophoneError
from hotkeys.inject import create_injector
from hotkeys.microphone import WarmMicrophone
from hotkeys.monitor import HEALTH_INTERVAL_S, DaemonMonitor, DaemonStatus
from hotkeys.rewrite import RewriteFlow
from hotkeys.ui import AgentUI

log = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = ["HEALTH_INTERVAL_S", "Agent"]


async def _async_off_loop(function: Callable[[], T]) -> T:
    """Run `function` in a worker thread; a cancellation waits for it to finish first.

    What it set up (grabs, a listener thread) is then known to the caller's
    `finally`, which releases it: nothing is left behind by a quick cancel.
    """
    work = asyncio.ensure_future(asyncio.to_thread(function))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait({work})
        raise


class Agent:
    """Turns hotkeys into dictation and rewrites through the daemon's API."""

    def __init__(
        self,
        settings: Settings,
        address: Callable[[], DaemonAddress],
        ui: AgentUI,
        display: str | None = None,
        *,
        monitor: DaemonMonitor | None = None,
    ) -> None:
        self.settings = settings
        self.preset = settings.rewrite.default_preset
        self.paused = False
        self._address = address
        self._ui = ui
        self._display = display
        # Shared with the tray when it passes its own: one health poll for both.
        self.monitor = monitor or DaemonMonitor(address)
        hotkeys = settings.hotkeys
        actions = {
            "push_to_talk": hotkeys.push_to_talk,
            "toggle_dictation": hotkeys.toggle_dictation,
            "rewrite": hotkeys.rewrite,
            "cancel": hotkeys.cancel,
            **{PRESET_PREFIX + name: spec for name, spec in hotkeys.presets.items()},
        }
        self._bindings = parse_bindings(actions)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: FlowContext | None = None
        self._dictation: DictationFlow | None = None
        self._rewrite: RewriteFlow | None = None
        self._grabs: Any = None  # hotkeys.x11.grabs.KeyGrabs on X11
        self._instance: Any = None  # hotkeys.x11.instance.AgentLock on X11
        self._listener: HotkeyListener | None = None
        self._warm: WarmMicrophone | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._daemon_problem: str | None = None  # "" while the daemon answers

    @property
    def last_latency(self) -> float | None:
        """Key release to text inserted for the last dictation, in seconds."""
        return None if self._dictation is None else self._dictation.last_latency

    async def async_run(self) -> None:
        """Listen for hotkeys until cancelled; AgentRunningError if another agent has them."""
        self._loop = asyncio.get_running_loop()
        keyboard = create_keyboard(self._display)
        clipboard = create_clipboard(self._display)
        try:
            await _async_off_loop(self._claim_display)
            async with self._address().session() as session:
                self._context = FlowContext(
                    settings=self.settings,
                    address=self._address,
                    ui=self._ui,
                    session=session,
                    keyboard=keyboard,
                    clipboard=clipboard,
                    injector=create_injector(self.settings.hotkeys.injection, clipboard, keyboard),
                    release_keyboard=self._release_keyboard,
                )
                await _async_off_loop(self._open_microphone)
                self._dictation = DictationFlow(
                    self._context,
                    Cues(self.settings.hotkeys.audio_cues),
                    EscapeGrab(self._grab_escape, self._ungrab_escape),
                    self._warm,
                )
                self._rewrite = RewriteFlow(self._context)
                await _async_off_loop(self._arm)
                log.info("hotkeys on: %s", ", ".join(f"{a}={h}" for a, h in self._bindings.items()))
                unsubscribe = self.monitor.subscribe(self._on_daemon_status)
                try:
                    await self.monitor.async_run(session)
                finally:
                    unsubscribe()
        finally:
            await self._async_close(keyboard, clipboard)

    async def _async_close(self, keyboard: Any, clipboard: Any) -> None:
        if self._listener is not None:
            await asyncio.to_thread(self._listener.stop)
        if self._dictation is not None:
            await self._dictation.async_close()
        for task in list(self._tasks):
            task.cancel()
        if self._grabs is not None:
            await asyncio.to_thread(self._grabs.release)
        if self._warm is not None:
            await asyncio.to_thread(self._warm.close)
        await asyncio.to_thread(keyboard.close)
        await asyncio.to_thread(clipboard.close)
        if self._instance is not None:
            await asyncio.to_thread(self._instance.release)

    # Set up in worker threads -------------------------------------------------

    def _claim_display(self) -> None:
        """On X11, refuse to run beside another agent on the same display."""
        if sys.platform in ("win32", "darwin"):
            return  # TODO(Windows, macOS): a named mutex / a per-session lock
        from hotkeys.x11.instance import AgentLock

        try:
            self._instance = AgentLock(self._display)
        except AgentRunningError as error:
            log.error("%s", error)
            self._ui.notify("Sottovoce is already running", str(error))
            raise

    def _open_microphone(self) -> None:
        """With hotkeys.warm_microphone, open the stream now, while nobody is speaking yet."""
        if not self.settings.hotkeys.warm_microphone:
            return
        warm = WarmMicrophone(
            self.settings.hotkeys.microphone, self.settings.hotkeys.preroll_seconds
        )
        try:
            flowing = warm.open()
        except MicrophoneError as error:
            # Each dictation tries again and says so; the hotkeys still arm.
            self._ui.notify("No microphone", str(error))
            self._warm = warm
            return
        self._warm = warm
        if flowing:
            log.info("the microphone is warm (hotkeys.warm_microphone)")
        else:
            log.warning("the microphone delivers no audio yet")

    def _arm(self) -> None:
        """Grab the hotkeys (X11) and start the listener thread."""
        if sys.platform not in ("win32", "darwin"):
            from hotkeys.x11.grabs import KeyGrabs

            # Esc stays with the applications: it is grabbed only while dictating.
            grabbed = {a: h for a, h in self._bindings.items() if a != "cancel"}
            self._grabs = KeyGrabs(self._display, grabbed)
            for conflict in self._grabs.conflicts:
                log.warning("hotkey conflict: %s", conflict)
                self._ui.notify("Hotkey conflict", conflict)
        self._listener = HotkeyListener(self._bindings, self._from_listener)
        self._listener.start()

    def _grab_escape(self) -> str | None:
        cancel = self._bindings.get("cancel")
        if self._grabs is None or cancel is None:
            return None
        # Any modifiers: Esc cancels a push-to-talk while Ctrl+Alt are still held.
        return self._grabs.grab("cancel", cancel, any_modifier=True)  # type: ignore[no-any-return]

    def _ungrab_escape(self) -> None:
        cancel = self._bindings.get("cancel")
        if self._grabs is not None and cancel is not None:
            self._grabs.ungrab(cancel, any_modifier=True)

    def _release_keyboard(self) -> None:
        if self._grabs is not None:
            self._grabs.release_keyboard()

    # Dispatch, on the loop ----------------------------------------------------

    def _from_listener(self, action: str, edge: Edge) -> None:
        """Called on pynput's thread: hand over to the loop and return at once."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.handle, action, edge)

    def handle(self, action: str, edge: Edge) -> None:
        """React to a hotkey edge (on the loop)."""
        dictation, rewrite = self._dictation, self._rewrite
        if self.paused or dictation is None or rewrite is None:
            return
        busy = dictation.active or rewrite.active
        if action == "push_to_talk":
            if edge == "press":
                if not busy:
                    dictation.begin()
            else:
                self._spawn(dictation.async_finish())
        elif edge == "release":
            return
        elif action == "toggle_dictation":
            if dictation.active:
                self._spawn(dictation.async_finish())
            elif not busy:
                dictation.begin()
        elif action == "cancel":
            if dictation.active:
                self._spawn(dictation.async_finish(cancel=True))
        elif (action == "rewrite" or action.startswith(PRESET_PREFIX)) and not busy:
            preset = self.preset if action == "rewrite" else action[len(PRESET_PREFIX) :]
            rewrite.active = True  # at once: a second press must find it busy
            self._spawn(rewrite.async_rewrite(preset))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("hotkey action failed", exc_info=error)
            self._ui.set_state("error", f"internal error ({type(error).__name__}); see the log")

    def _on_daemon_status(self, status: DaemonStatus) -> None:
        if status.problem == self._daemon_problem:
            return
        self._daemon_problem = status.problem
        if not status.problem:
            log.info("the daemon answers; hotkeys are ready")
            busy = self._dictation is not None and self._dictation.recording
            if not busy and not (self._rewrite is not None and self._rewrite.active):
                self._ui.set_state("paused" if self.paused else "idle")
        elif status.impostor:
            log.error("Not your Sottovoce daemon: %s", status.problem)
            self._ui.notify("Not your Sottovoce daemon", status.problem)
            self._ui.set_state("error", status.problem)
        else:
            self._ui.set_state("error", status.problem)
            log.warning("the daemon does not answer; retrying every %.0f s", self.monitor.interval)

    # Called by the tray, on the loop -------------------------------------------

    def copy_to_clipboard(self, text: str) -> None:
        """Put `text` on the clipboard, marked so clipboard managers skip it (on the loop)."""

        async def copy() -> None:
            if self._context is not None:
                await asyncio.to_thread(self._context.clipboard.write_text, text, transient=True)
                self._ui.notify("Copied", "The API token is on the clipboard.")

        self._spawn(copy())

    async def _async_pause_microphone(self, paused: bool) -> None:
        assert self._warm is not None
        if paused:
            await asyncio.to_thread(self._warm.close)
            return
        try:
            await asyncio.to_thread(self._warm.open)
        except MicrophoneError as error:
            self._ui.notify("No microphone", str(error))

    def set_paused(self, paused: bool) -> None:
        """Pause or resume every hotkey (on the loop); a paused agent closes the microphone."""
        if paused and self._dictation is not None and self._dictation.active:
            self._spawn(self._dictation.async_finish(cancel=True))
        if self._warm is not None and paused != self.paused:
            self._spawn(self._async_pause_microphone(paused))
        self.paused = paused
        self._ui.set_state("paused" if paused else "idle")
