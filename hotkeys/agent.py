"""The desktop agent: global hotkeys for dictation and rewrite, a client of the local API.

pynput's listener thread only hands events to the asyncio loop; everything that
blocks (X11 calls, typing, clipboard) runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import aiohttp

from daemon.client import (
    NOT_RECORDED,
    NOT_RECORDED_NOTICE,
    ApiRequestError,
    DaemonAddress,
    DaemonUnavailableError,
    ImpostorError,
    dictate,
    request_json,
)
from daemon.config import Settings
from daemon.errors import SottovoceError
from daemon.protocol import SOURCE_APP_HEADER
from hotkeys.bindings import PRESET_PREFIX, Edge, HotkeyListener, parse_bindings
from hotkeys.clipboard import Clipboard, create_clipboard
from hotkeys.cues import Cues
from hotkeys.inject import Injector, Keyboard, TypeInjector, create_injector, create_keyboard
from hotkeys.microphone import Microphone
from hotkeys.selection import capture_selection, replace_selection
from hotkeys.ui import AgentUI

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 5.0


class Recording:
    """One dictation: microphone chunks streamed to the daemon until stopped or cancelled."""

    def __init__(self, loop: asyncio.AbstractEventLoop, device: str) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.cancelled = False

        def hand_over(data: bytes) -> None:  # on PortAudio's thread
            loop.call_soon_threadsafe(self._queue.put_nowait, data)

        self.mic = Microphone(device, hand_over)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Audio until `end()`."""
        while (chunk := await self._queue.get()) is not None:
            yield chunk

    async def async_end(self, cancel: bool = False) -> None:
        """Stop the microphone; the stream ends after the last audio it captured."""
        self.cancelled = self.cancelled or cancel
        await asyncio.to_thread(self.mic.stop)
        # The last blocks were handed over (call_soon_threadsafe) before stop()
        # returned, so they are queued already: the end marker comes after them.
        self._queue.put_nowait(None)


class Agent:
    """Turns hotkeys into dictation and rewrites through the daemon's API."""

    def __init__(
        self,
        settings: Settings,
        address: Callable[[], DaemonAddress],
        ui: AgentUI,
        display: str | None = None,
    ) -> None:
        self.settings = settings
        self.preset = settings.rewrite.default_preset
        self.paused = False
        self.last_latency: float | None = None  # key release to text inserted, seconds
        self._address = address
        self._ui = ui
        self._display = display
        hotkeys = settings.hotkeys
        actions = {
            "push_to_talk": hotkeys.push_to_talk,
            "toggle_dictation": hotkeys.toggle_dictation,
            "rewrite": hotkeys.rewrite,
            "cancel": hotkeys.cancel,
            **{PRESET_PREFIX + name: spec for name, spec in hotkeys.presets.items()},
        }
        self._bindings = parse_bindings(actions)
        self._cues = Cues(hotkeys.audio_cues)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None
        self._keyboard: Keyboard | None = None
        self._clipboard: Clipboard | None = None
        self._injector: Injector | None = None
        self._recording: Recording | None = None
        self._dictating = False  # from the start hotkey until the dictation is finished
        self._starting: asyncio.Future[None] | None = None
        self._dictation: asyncio.Task[str | None] | None = None
        self._app: str | None = None
        self._rewriting = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._daemon_problem: str | None = None  # "" while the daemon answers

    async def async_run(self) -> None:
        """Listen for hotkeys until cancelled."""
        self._loop = asyncio.get_running_loop()
        self._keyboard = create_keyboard(self._display)
        self._clipboard = create_clipboard(self._display)
        self._injector = create_injector(
            self.settings.hotkeys.injection, self._clipboard, self._keyboard
        )
        listener = HotkeyListener(self._bindings, self._from_listener)
        grabs = None
        async with self._address().session() as session:
            self._session = session
            try:
                # On the loop, briefly: a cancellation must never leave a listener
                # thread or key grabs behind that no `finally` knows about.
                listener.start()
                grabs = self._grab()
                log.info("hotkeys on: %s", ", ".join(f"{a}={h}" for a, h in self._bindings.items()))
                while True:
                    await self._check_daemon()
                    await asyncio.sleep(HEALTH_INTERVAL_S)
            finally:
                listener.stop()
                if grabs is not None:
                    await asyncio.to_thread(grabs.release)
                if self._recording is not None:
                    await self._recording.async_end(cancel=True)
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.to_thread(self._keyboard.close)
                await asyncio.to_thread(self._clipboard.close)

    def _grab(self) -> Any:
        """On X11, keep hotkey presses away from applications; report taken hotkeys."""
        if sys.platform in ("win32", "darwin"):
            return None
        from hotkeys.x11.grabs import KeyGrabs

        # Esc stays with the applications: it only cancels while recording.
        grabbed = {a: h for a, h in self._bindings.items() if a != "cancel"}
        grabs = KeyGrabs(self._display, grabbed)
        for conflict in grabs.conflicts:
            log.warning("hotkey conflict: %s", conflict)
            self._ui.notify("Hotkey conflict", conflict)
        return grabs

    def _from_listener(self, action: str, edge: Edge) -> None:
        """Called on pynput's thread: hand over to the loop and return at once."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.handle, action, edge)

    def handle(self, action: str, edge: Edge) -> None:
        """React to a hotkey edge (on the loop)."""
        if self.paused:
            return
        if action == "push_to_talk":
            if edge == "press":
                self._begin_dictation()
            else:
                self._spawn(self._finish())
        elif edge == "release":
            return
        elif action == "toggle_dictation":
            if self._dictating:
                self._spawn(self._finish())
            else:
                self._begin_dictation()
        elif action == "cancel":
            if self._dictating:
                self._spawn(self._finish(cancel=True))
        elif action == "rewrite":
            self._begin_rewrite(self.preset)
        elif action.startswith(PRESET_PREFIX):
            self._begin_rewrite(action.removeprefix(PRESET_PREFIX))

    # State changes happen here, synchronously on the loop: a release that comes
    # while the start is still opening the microphone then finds the dictation.
    def _begin_dictation(self) -> None:
        if self._dictating or self._rewriting:
            return
        self._dictating = True
        self._starting = asyncio.ensure_future(self._start())

    def _begin_rewrite(self, preset: str) -> None:
        if self._dictating or self._rewriting:
            return
        self._rewriting = True
        self._spawn(self._rewrite(preset))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("hotkey action failed", exc_info=error)
            self._ui.set_state("error", f"internal error ({type(error).__name__}); see the log")

    async def _excluded(self) -> bool:
        assert self._keyboard is not None
        self._app = await asyncio.to_thread(self._keyboard.focused_app)
        exclude = [item.lower() for item in self.settings.hotkeys.exclude]
        if self._app and any(item in self._app.lower() for item in exclude):
            log.info("hotkeys do nothing in %s (hotkeys.exclude)", self._app)
            return True
        return False

    async def _start(self) -> None:
        if await self._excluded():
            self._dictating = False
            return
        assert self._loop is not None and self._session is not None
        recording = Recording(self._loop, self.settings.hotkeys.microphone)
        try:
            await asyncio.to_thread(recording.mic.start)
        except SottovoceError as error:
            self._dictating = False
            self._fail("No microphone", str(error))
            return
        self._recording = recording
        self._cues.play("start")
        self._ui.set_state("listening")
        start = {"source_app": self._app} if self._app else {}
        if self.settings.speech.language:
            start["language"] = self.settings.speech.language
        try:
            address = self._address()
        except SottovoceError as error:
            await recording.async_end(cancel=True)
            self._recording = None
            self._dictating = False
            self._fail("Sottovoce is not running", str(error))
            return
        self._dictation = asyncio.ensure_future(
            dictate(
                self._session,
                address,
                recording.chunks(),
                start,
                cancelled=lambda: recording.cancelled,
                on_history=self._history_notice,
            )
        )

    async def _finish(self, cancel: bool = False) -> None:
        if not self._dictating:
            return
        self._dictating = False
        released = time.perf_counter()
        starting, self._starting = self._starting, None
        if starting is not None:
            await asyncio.wait({starting})  # the microphone opened, or failed to
        recording, self._recording = self._recording, None
        task, self._dictation = self._dictation, None
        if recording is None or task is None:
            return
        await recording.async_end(cancel)
        if cancel:
            with contextlib.suppress(SottovoceError, ConnectionError):
                await task  # tells the daemon to drop the dictation
            self._ui.set_state("idle", "dictation cancelled")
            return
        self._cues.play("stop")
        self._ui.set_state("working", "transcribing")
        try:
            text = await task
        except (ApiRequestError, DaemonUnavailableError) as error:
            self._fail("Dictation failed", str(error))
            return
        if recording.mic.failed:
            self._ui.notify("Microphone", recording.mic.failed)
        if text:
            assert self._injector is not None
            try:
                await asyncio.to_thread(self._injector.inject, _with_space(text))
            except SottovoceError as error:
                self._fail("Text not inserted", str(error))
                return
            self.last_latency = time.perf_counter() - released
            log.info("dictation inserted %.2f s after key release", self.last_latency)
        self._ui.set_state("idle")

    async def _rewrite(self, preset: str) -> None:
        assert self._session is not None and self._clipboard and self._keyboard
        try:
            if await self._excluded():
                return
            self._ui.set_state("working", f"rewriting ({preset})")
            text = await asyncio.to_thread(capture_selection, self._clipboard, self._keyboard)
            if not text:
                self._ui.notify(
                    "Nothing selected", "Select some text, then press the rewrite hotkey."
                )
                self._ui.set_state("idle")
                return
            headers = {SOURCE_APP_HEADER: self._app} if self._app else {}
            result = await request_json(
                self._session,
                self._address(),
                "POST",
                "/v1/rewrite",
                {"text": text, "preset": preset},
                headers,
            )
            self._history_notice(str(result.get("history")))
            fidelity = result["fidelity"]
            if not fidelity["ok"] and not self.settings.rewrite.replace_when_unfaithful:
                self._ui.notify(
                    "Rewrite not applied: it changed clinical facts",
                    _changes(fidelity) + ". The original text was kept.",
                )
                self._ui.set_state("idle")
                return
            # Typing over the still-active selection replaces it in every toolkit.
            await asyncio.to_thread(
                replace_selection, str(result["text"]), TypeInjector(self._keyboard)
            )
            if not fidelity["ok"]:
                self._ui.notify(
                    "Rewrite applied although it changed clinical facts", _changes(fidelity)
                )
            log.info("rewrite (%s) replaced the selection", preset)
            self._ui.set_state("idle")
        except SottovoceError as error:
            self._fail("Rewrite failed", str(error))
        finally:
            self._rewriting = False

    def _history_notice(self, recorded: str) -> None:
        if recorded == NOT_RECORDED:
            self._ui.notify(*NOT_RECORDED_NOTICE)

    def _fail(self, title: str, message: str) -> None:
        log.error("%s: %s", title, message)
        self._ui.notify(title, message)
        self._ui.set_state("error", message)

    async def _check_daemon(self) -> None:
        assert self._session is not None
        try:
            # The first request on each new connection has the daemon prove itself.
            await request_json(self._session, self._address(), "GET", "/v1/health", timeout=5)
            problem, impostor = "", False
        except ImpostorError as error:
            problem, impostor = str(error), True
        except SottovoceError:
            problem, impostor = "the Sottovoce daemon is not running", False
        if problem == self._daemon_problem:
            return
        self._daemon_problem = problem
        if not problem:
            log.info("the daemon answers; hotkeys are ready")
            if self._recording is None and not self._rewriting:
                self._ui.set_state("paused" if self.paused else "idle")
        elif impostor:
            self._fail("Not your Sottovoce daemon", problem)
        else:
            self._ui.set_state("error", problem)
            log.warning("the daemon does not answer; retrying every %.0f s", HEALTH_INTERVAL_S)

    def copy_to_clipboard(self, text: str) -> None:
        """Put `text` on the clipboard, marked so clipboard managers skip it (on the loop)."""

        async def copy() -> None:
            if self._clipboard is not None:
                await asyncio.to_thread(self._clipboard.write_text, text, transient=True)
                self._ui.notify("Copied", "The API token is on the clipboard.")

        self._spawn(copy())

    def set_paused(self, paused: bool) -> None:
        """Pause or resume every hotkey (on the loop)."""
        if paused and self._dictating:
            self._spawn(self._finish(cancel=True))
        self.paused = paused
        self._ui.set_state("paused" if paused else "idle")


def _with_space(text: str) -> str:
    # Consecutive dictations run on as prose instead of gluing words together.
    return text if text[-1:] in ("\n", " ") else text + " "


def _changes(fidelity: dict[str, Any]) -> str:
    parts = []
    if fidelity["missing"]:
        parts.append("missing: " + ", ".join(fidelity["missing"]))
    if fidelity["added"]:
        parts.append("added: " + ", ".join(fidelity["added"]))
    return "; ".join(parts)
