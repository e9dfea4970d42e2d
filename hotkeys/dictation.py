"""The dictation flow: microphone audio streamed to the daemon, the transcript typed at the cursor.

State changes happen synchronously on the loop (`begin`, `async_finish`): a
release that comes while the start is still opening the microphone then finds
the dictation. Esc is taken from the applications only while a dictation runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from daemon.client import ApiRequestError, DaemonUnavailableError, dictate
from daemon.errors import SottovoceError
from hotkeys.context import FlowContext
from hotkeys.cues import Cues
from hotkeys.microphone import AudioHandler, Capture, Microphone, WarmMicrophone

log = logging.getLogger(__name__)


class Recording:
    """One dictation: microphone chunks streamed to the daemon until stopped or cancelled."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, capture: Callable[[AudioHandler], Capture]
    ) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.cancelled = False

        def hand_over(data: bytes) -> None:  # on PortAudio's thread
            loop.call_soon_threadsafe(self._queue.put_nowait, data)

        self.mic = capture(hand_over)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Audio until `async_end()`."""
        while (chunk := await self._queue.get()) is not None:
            yield chunk

    async def async_end(self, cancel: bool = False) -> None:
        """Stop the microphone; the stream ends after the last audio it captured."""
        self.cancelled = self.cancelled or cancel
        await asyncio.to_thread(self.mic.stop)
        # The last blocks were handed over (call_soon_threadsafe) before stop()
        # returned, so they are queued already: the end marker comes after them.
        self._queue.put_nowait(None)


class EscapeGrab:
    """Takes the cancel key from the applications while a dictation runs, and only then."""

    def __init__(self, take: Callable[[], str | None], give_back: Callable[[], None]) -> None:
        self._take = take
        self._give_back = give_back
        self._held = False

    async def async_take(self) -> str | None:
        """Grab the key (off the loop); the conflict's wording if another program holds it."""
        conflict = await asyncio.to_thread(self._take)
        self._held = conflict is None
        return conflict

    async def async_give_back(self) -> None:
        """Let the key reach the applications again."""
        if self._held:
            self._held = False
            await asyncio.to_thread(self._give_back)


class DictationFlow:
    """Push-to-talk and toggle dictation."""

    def __init__(
        self,
        context: FlowContext,
        cues: Cues,
        escape: EscapeGrab,
        warm: WarmMicrophone | None,
    ) -> None:
        self._context = context
        self._cues = cues
        self._escape = escape
        self._warm = warm
        self.active = False  # from the start hotkey until the dictation is finished
        self.last_latency: float | None = None  # key release to text inserted, seconds
        self._starting: asyncio.Future[None] | None = None
        self._recording: Recording | None = None
        self._dictation: asyncio.Task[str | None] | None = None

    @property
    def recording(self) -> bool:
        """Whether the microphone is open for a dictation."""
        return self._recording is not None

    def begin(self) -> None:
        """Start a dictation (on the loop, synchronously)."""
        self.active = True
        recording = Recording(asyncio.get_running_loop(), self._capture)
        tapped = self._warm is not None and self._warm.is_open
        if tapped:
            # A warm stream is tapped at once (no blocking call): the pre-roll then
            # reaches back from the moment the key press arrived.
            recording.mic.start()
        self._starting = asyncio.ensure_future(self._async_start(recording, tapped))

    def _capture(self, on_audio: AudioHandler) -> Capture:
        if self._warm is not None:
            return self._warm.capture(on_audio)
        return Microphone(self._context.settings.hotkeys.microphone, on_audio)

    async def _async_start(self, recording: Recording, tapped: bool) -> None:
        context = self._context
        app, excluded = await context.async_focused_app()
        if excluded:
            if tapped:
                await recording.async_end(cancel=True)
            self.active = False
            return
        conflict = await self._escape.async_take()
        if conflict:
            context.ui.notify("Hotkey conflict", f"{conflict}: Esc cannot cancel dictations")
        try:
            if not tapped:
                await asyncio.to_thread(recording.mic.start)
        except SottovoceError as error:
            await self._async_abort()
            context.fail("No microphone", str(error))
            return
        self._recording = recording
        self._cues.play("start")
        context.ui.set_state("listening")
        start = {"source_app": app} if app else {}
        if context.settings.speech.language:
            start["language"] = context.settings.speech.language
        try:
            address = context.address()
        except SottovoceError as error:
            await recording.async_end(cancel=True)
            self._recording = None
            await self._async_abort()
            context.fail("Sottovoce is not running", str(error))
            return
        self._dictation = asyncio.ensure_future(
            dictate(
                context.session,
                address,
                recording.chunks(),
                start,
                cancelled=lambda: recording.cancelled,
                on_history=context.history_notice,
            )
        )

    async def _async_abort(self) -> None:
        self.active = False
        await self._escape.async_give_back()

    async def async_finish(self, cancel: bool = False) -> None:
        """End the dictation: insert the transcript, or drop it when cancelled."""
        if not self.active:
            return
        self.active = False
        try:
            await self._async_finish(cancel)
        finally:
            await self._escape.async_give_back()

    async def _async_finish(self, cancel: bool) -> None:
        context = self._context
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
            context.ui.set_state("idle", "dictation cancelled")
            return
        self._cues.play("stop")
        context.ui.set_state("working", "transcribing")
        try:
            text = await task
        except (ApiRequestError, DaemonUnavailableError) as error:
            context.fail("Dictation failed", str(error))
            return
        if recording.mic.failed:
            context.ui.notify("Microphone", recording.mic.failed)
        if text:
            try:
                await asyncio.to_thread(context.injector.inject, _with_space(text))
            except SottovoceError as error:
                context.fail("Text not inserted", str(error))
                return
            self.last_latency = time.perf_counter() - released
            log.info("dictation inserted %.2f s after key release", self.last_latency)
        context.ui.set_state("idle")

    async def async_close(self) -> None:
        """Drop a dictation still running (the agent stops)."""
        if self._recording is not None:
            await self._recording.async_end(cancel=True)
        await self._escape.async_give_back()


def _with_space(text: str) -> str:
    # Consecutive dictations run on as prose instead of gluing words together.
    return text if text[-1:] in ("\n", " ") else text + " "
