"""An X selection owner running in its own thread: it serves several targets at once.

xclip serves a single target per process; clipboard hygiene needs more (the
text under several names plus x-kde-passwordManagerHint), and the paste flow
needs to know when the focused application fetched the text, which only the
owner sees (its SelectionRequest). Large data goes out in INCR chunks.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from Xlib import X, Xatom
from Xlib import error as xerror
from Xlib.display import Display
from Xlib.protocol import event as xevent
from Xlib.protocol import request as xrequest
from Xlib.xobject.drawable import Window

from hotkeys.errors import ClipboardError
from hotkeys.x11.connection import atom_name, client_of, open_display

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Targets that describe the selection rather than carry its content.
META_TARGETS = frozenset({"TARGETS", "TIMESTAMP", "MULTIPLE", "SAVE_TARGETS", "DELETE"})
_REPLY_TYPES = {"STRING": "STRING", "TEXT": "UTF8_STRING", "UTF8_STRING": "UTF8_STRING"}
_INCR_IDLE_S = 5.0


@dataclass(frozen=True)
class Served:
    """One conversion the owner completed for a requestor."""

    selection: str
    generation: int
    client: int
    target: str
    at: float  # time.monotonic()


@dataclass
class _Ownership:
    generation: int
    timestamp: int
    offer: Mapping[str, bytes] = field(repr=False)


@dataclass
class _Transfer:
    requestor: Window
    prop: int
    type_atom: int
    data: bytes = field(repr=False)
    served: Served
    offset: int = 0
    done_sending: bool = False
    last_activity: float = field(default_factory=time.monotonic)


class SelectionOwner:
    """Owns X selections (CLIPBOARD, PRIMARY) on behalf of its callers, from one thread."""

    def __init__(self, display: str | None = None) -> None:
        self._display = open_display(display)
        screen = self._display.screen()
        self._window = screen.root.create_window(
            -10, -10, 1, 1, 0, screen.root_depth, event_mask=X.PropertyChangeMask
        )
        self._stamp_atom = self._display.intern_atom("_SOTTOVOCE_TIMESTAMP")
        self._chunk = self._display.display.info.max_request_length * 4 - 1024
        self._changed = threading.Condition()
        self._owned: dict[str, _Ownership] = {}
        self._served: deque[Served] = deque(maxlen=128)
        self._generation = 0
        self._transfers: dict[tuple[int, int], _Transfer] = {}
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = (
            queue.SimpleQueue()
        )
        self._saved: Future[bool] | None = None  # a SAVE_TARGETS request under way
        self._wake_read, self._wake_write = os.pipe()
        self._stopping = False
        self._alive = True
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="x11-selection-owner", daemon=True)
        self._thread.start()

    # Calls from other threads -----------------------------------------------

    @property
    def alive(self) -> bool:
        """Whether the owner thread still runs (False after close() or a lost connection)."""
        return self._alive and not self._closed

    def call(self, function: Callable[[Display], T], timeout: float = 5.0) -> T:
        """Run `function(display)` on the owner thread, which alone uses its connection."""
        future: Future[T] = Future()
        if not self._alive:
            raise ClipboardError("the X clipboard connection is closed")
        self._commands.put((lambda: function(self._display), future))
        os.write(self._wake_write, b"x")
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            raise ClipboardError("the X clipboard did not answer in time") from exc

    def own(
        self, selection: str, offer: Mapping[str, bytes], *, replacing: int | None = None
    ) -> int | None:
        """Own `selection`, serving `offer` (target -> bytes); return the new generation.

        With `replacing`, only while `selection` still holds that generation (else None).
        """
        return self.call(lambda display: self._own(display, selection, dict(offer), replacing))

    def clear(self, selection: str, generation: int | None = None) -> bool:
        """Leave `selection` without owner; with `generation`, only while it holds that."""
        return self.call(lambda display: self._clear(display, selection, generation))

    def owns(self, selection: str, generation: int) -> bool:
        """Whether `selection` still holds what `generation` put there."""
        with self._changed:
            owned = self._owned.get(selection)
            return owned is not None and owned.generation == generation

    def generation(self, selection: str) -> int | None:
        """The generation of what this owner serves on `selection`, or None."""
        with self._changed:
            owned = self._owned.get(selection)
            return None if owned is None else owned.generation

    def offer(self, selection: str) -> Mapping[str, bytes] | None:
        """What this owner serves for `selection`, or None when it does not own it.

        Asks the server first, so a SelectionClear already sent to us is taken into account.
        """

        def current(display: Display) -> Mapping[str, bytes] | None:
            self._catch_up(display)
            with self._changed:
                owned = self._owned.get(selection)
                return None if owned is None else owned.offer

        return self.call(current)

    def confirm(self, selection: str, generation: int) -> bool:
        """Like owns(), after taking in every event the server sent so far."""

        def check(display: Display) -> bool:
            self._catch_up(display)
            return self.owns(selection, generation)

        return self.call(check)

    def wait_lost(self, selection: str, generation: int, timeout: float | None) -> bool:
        """Wait until another owner replaced `generation` (None: for ever); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: not self.owns(selection, generation), timeout)

    def wait_served(
        self,
        selection: str,
        generation: int,
        *,
        since: float,
        clients: frozenset[int] | None,
        ignore_targets: frozenset[str],
        timeout: float,
    ) -> bool:
        """Wait until one of `clients` (None: anyone) fetched `generation`'s data after `since`."""

        def fetched() -> bool:
            return any(
                s.selection == selection
                and s.generation == generation
                and s.at >= since
                and s.target not in ignore_targets
                and (clients is None or s.client in clients)
                for s in self._served
            )

        with self._changed:
            return self._changed.wait_for(fetched, timeout)

    def save_to_manager(self, timeout: float) -> bool:
        """Hand what we own on CLIPBOARD to a clipboard manager (ICCCM SAVE_TARGETS).

        False at once when no manager runs; else True once it says it took a copy,
        which it fetches from us meanwhile (this thread keeps serving it).
        """
        saved: Future[bool] = Future()

        def ask(display: Display) -> bool:
            manager = display.intern_atom("CLIPBOARD_MANAGER")
            owner = display.get_selection_owner(manager)
            if not int(getattr(owner, "id", owner)):
                return False
            self._saved = saved
            self._window.convert_selection(
                manager,
                display.intern_atom("SAVE_TARGETS"),
                display.intern_atom("_SOTTOVOCE_SAVED"),
                X.CurrentTime,
            )
            display.flush()
            return True

        if not self.call(ask):
            return False
        try:
            return saved.result(timeout)
        except TimeoutError:
            logger.warning("the clipboard manager did not take the clipboard in time")
            return False

    def close(self) -> None:
        """Stop serving and disconnect (what this owner held leaves the selections)."""
        if self._closed:
            return
        self._closed = True
        self._stopping = True
        os.write(self._wake_write, b"x")
        self._thread.join(5)
        os.close(self._wake_read)
        os.close(self._wake_write)

    # Owner thread -----------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping:
                self._run_commands()
                while self._display.pending_events():
                    self._dispatch(self._display.next_event())
                self._expire_transfers()
                ready, _, _ = select.select([self._display.fileno(), self._wake_read], [], [], 1.0)
                if self._wake_read in ready:
                    os.read(self._wake_read, 4096)
        except (xerror.ConnectionClosedError, OSError):
            logger.warning("the X clipboard connection was lost")
        finally:
            self._alive = False
            self._fail_pending()
            with self._changed:
                self._owned.clear()
                self._changed.notify_all()
            try:
                self._window.destroy()
                self._display.close()
            except (xerror.ConnectionClosedError, OSError):
                pass

    def _run_commands(self) -> None:
        while True:
            try:
                command, future = self._commands.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(command())
            except Exception as exc:  # handed to the caller, which re-raises it
                future.set_exception(exc)

    def _fail_pending(self) -> None:
        while True:
            try:
                _, future = self._commands.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(ClipboardError("the X clipboard connection is closed"))

    def _dispatch(self, event: Any) -> None:
        try:
            if event.type == X.SelectionRequest:
                self._on_request(event)
            elif event.type == X.SelectionClear:
                self._on_clear(event)
            elif event.type == X.PropertyNotify and event.window.id != self._window.id:
                self._on_property(event)
            elif event.type == X.SelectionNotify:
                self._on_notify(event)
        except xerror.XError:
            logger.debug("X error while handling %s", type(event).__name__, exc_info=True)

    def _catch_up(self, display: Display) -> None:
        """Handle every event the server sent before now (a round trip guarantees it)."""
        display.sync()
        while display.pending_events():
            self._dispatch(display.next_event())

    def _server_time(self, display: Display) -> int:
        """A real server timestamp: ICCCM forbids CurrentTime for SetSelectionOwner."""
        self._window.change_property(self._stamp_atom, Xatom.STRING, 8, b"", mode=X.PropModeAppend)
        while True:
            event = display.next_event()
            if (
                event.type == X.PropertyNotify
                and event.window.id == self._window.id
                and event.atom == self._stamp_atom
            ):
                return int(event.time)
            self._dispatch(event)

    def _own(
        self, display: Display, selection: str, offer: dict[str, bytes], replacing: int | None
    ) -> int | None:
        self._catch_up(display)
        if replacing is not None and not self.owns(selection, replacing):
            return None
        atom = display.intern_atom(selection)
        stamp = self._server_time(display)
        self._window.set_selection_owner(atom, stamp)
        owner = display.get_selection_owner(atom)
        if getattr(owner, "id", owner) != self._window.id:
            raise ClipboardError(f"could not take the X {selection} selection")
        with self._changed:
            self._generation += 1
            self._owned[selection] = _Ownership(self._generation, stamp, offer)
            self._changed.notify_all()
            return self._generation

    def _clear(self, display: Display, selection: str, generation: int | None) -> bool:
        self._catch_up(display)
        if generation is not None and not self.owns(selection, generation):
            return False
        with self._changed:
            self._owned.pop(selection, None)
            self._changed.notify_all()
        # Any client may set the owner to None; the previous owner gets SelectionClear.
        xrequest.SetSelectionOwner(
            display=display.display,
            window=X.NONE,
            selection=display.intern_atom(selection),
            time=self._server_time(display),
        )
        display.flush()
        return True

    def _on_notify(self, event: Any) -> None:
        saved, self._saved = self._saved, None
        if saved is not None and atom_name(self._display, event.selection) == "CLIPBOARD_MANAGER":
            saved.set_result(event.property != X.NONE)  # a refusal answers with no property
        else:
            self._saved = saved

    def _on_clear(self, event: Any) -> None:
        selection = atom_name(self._display, event.atom)
        with self._changed:
            owned = self._owned.get(selection)
            if owned is not None and (event.time == X.CurrentTime or event.time >= owned.timestamp):
                del self._owned[selection]
                self._changed.notify_all()

    def _on_request(self, event: Any) -> None:
        display = self._display
        selection = atom_name(display, event.selection)
        target = atom_name(display, event.target)
        # Obsolete clients send no property; ICCCM says use the target atom then.
        prop = event.property or event.target
        requestor_id = getattr(event.requestor, "id", event.requestor)
        requestor = display.create_resource_object("window", requestor_id)
        with self._changed:
            owned = self._owned.get(selection)
        stale = owned is None or (event.time != X.CurrentTime and event.time < owned.timestamp)
        served = None
        if owned is not None and not stale:
            served = Served(
                selection, owned.generation, client_of(display, requestor_id), target, 0.0
            )
            if target == "TARGETS":
                names = ["TARGETS", "TIMESTAMP", *owned.offer]
                atoms = [display.intern_atom(name) for name in names]
                requestor.change_property(prop, Xatom.ATOM, 32, atoms)
            elif target == "TIMESTAMP":
                requestor.change_property(prop, Xatom.INTEGER, 32, [owned.timestamp])
            elif target in owned.offer:
                type_atom = display.intern_atom(_REPLY_TYPES.get(target, target))
                data = owned.offer[target]
                if len(data) > self._chunk:
                    self._start_incr(requestor, prop, type_atom, data, served)
                    served = None  # counted when the last chunk is fetched
                else:
                    requestor.change_property(prop, type_atom, 8, data)
            else:
                prop, served = X.NONE, None
        else:
            prop = X.NONE
        requestor.send_event(
            xevent.SelectionNotify(
                time=event.time,
                requestor=requestor_id,
                selection=event.selection,
                target=event.target,
                property=prop,
            )
        )
        display.flush()
        if served is not None:
            self._record(served)

    def _record(self, served: Served) -> None:
        with self._changed:
            self._served.append(dataclasses.replace(served, at=time.monotonic()))
            self._changed.notify_all()

    def _start_incr(
        self, requestor: Window, prop: int, type_atom: int, data: bytes, served: Served
    ) -> None:
        # Watch the requestor's properties before announcing INCR, or its first delete is missed.
        requestor.change_attributes(event_mask=X.PropertyChangeMask)
        incr = self._display.intern_atom("INCR")
        requestor.change_property(prop, incr, 32, [len(data)])
        self._transfers[(requestor.id, prop)] = _Transfer(requestor, prop, type_atom, data, served)

    def _on_property(self, event: Any) -> None:
        transfer = self._transfers.get((event.window.id, event.atom))
        if transfer is None or event.state != X.PropertyDelete:
            return
        transfer.last_activity = time.monotonic()
        if transfer.done_sending:
            del self._transfers[(event.window.id, event.atom)]
            self._stop_watching(transfer.requestor)
            self._record(transfer.served)
            return
        chunk = transfer.data[transfer.offset : transfer.offset + self._chunk]
        transfer.offset += len(chunk)
        transfer.done_sending = not chunk  # a zero-length chunk ends the transfer
        transfer.requestor.change_property(transfer.prop, transfer.type_atom, 8, chunk)
        self._display.flush()

    def _stop_watching(self, requestor: Window) -> None:
        if not any(t.requestor.id == requestor.id for t in self._transfers.values()):
            requestor.change_attributes(event_mask=X.NoEventMask)
            self._display.flush()

    def _expire_transfers(self) -> None:
        now = time.monotonic()
        for key, transfer in list(self._transfers.items()):
            if now - transfer.last_activity > _INCR_IDLE_S:
                logger.debug("dropping a stalled INCR transfer")
                del self._transfers[key]
                self._stop_watching(transfer.requestor)
