"""The X11 CLIPBOARD: read with xclip, served by our own selection owner."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading

from Xlib.display import Display

from hotkeys.clipboard import Clipboard, ClipboardSnapshot, ClipboardTicket
from hotkeys.errors import ClipboardError
from hotkeys.x11.connection import DisplayError, client_of, display_reachable, focused_clients
from hotkeys.x11.keeper import start_keeper
from hotkeys.x11.owner import META_TARGETS, SelectionOwner

logger = logging.getLogger(__name__)

CLIPBOARD = "CLIPBOARD"
PRIMARY = "PRIMARY"
# KDE's convention, honoured by Klipper, CopyQ, GPaste and others: do not keep this content.
TRANSIENT_HINT = "x-kde-passwordManagerHint"
# Targets whose bytes depend on the owner's locale or the requestor's choice: rebuilt, not stored.
_DERIVED_TARGETS = frozenset({"TEXT", "COMPOUND_TEXT"})
# Fetches that tell "the paste landed" apart from a clipboard manager peeking at the hint.
_NOT_A_PASTE = META_TARGETS | {TRANSIENT_HINT}


def text_offer(text: str, *, transient: bool) -> dict[str, bytes]:
    """The targets under which `text` is served (plus the transient hint when asked)."""
    data = text.encode("utf-8")
    offer = {"UTF8_STRING": data, "text/plain;charset=utf-8": data, "TEXT": data}
    with contextlib.suppress(UnicodeEncodeError):
        offer["STRING"] = text.encode("latin-1")  # ICCCM STRING is Latin-1; offered when exact
    if transient:
        offer[TRANSIENT_HINT] = b"secret"
    return offer


def _text_first(target: str) -> tuple[int, str]:
    order = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING")
    if target in order:
        return order.index(target), target
    return (3 if target.startswith("text/") else 4), target


class X11Clipboard(Clipboard):
    """The X11 clipboard; needs xclip and an X display."""

    def __init__(
        self,
        display: str | None = None,
        *,
        xclip: str = "xclip",
        read_timeout: float = 1.0,
        max_targets: int = 24,
        max_bytes: int = 64 << 20,
    ) -> None:
        self._display_name = display
        self._xclip = xclip
        self._read_timeout = read_timeout
        self._max_targets = max_targets
        self._max_bytes = max_bytes
        self._owner: SelectionOwner | None = None
        self._lock = threading.Lock()

    def is_available(self) -> bool:
        """Whether xclip is installed and the X display answers."""
        return shutil.which(self._xclip) is not None and display_reachable(self._display_name)

    def _selection_owner(self) -> SelectionOwner:
        with self._lock:
            if self._owner is not None and not self._owner.alive:
                self._owner.close()  # its X connection was lost: start afresh
                self._owner = None
            if self._owner is None:
                try:
                    self._owner = SelectionOwner(self._display_name)
                except DisplayError as exc:
                    raise ClipboardError(str(exc)) from exc
            return self._owner

    def close(self) -> None:
        """Stop serving; the user's own clipboard that we served lives on elsewhere.

        A clipboard manager takes it (SAVE_TARGETS) where one runs; otherwise a
        small keeper process serves it until another program takes the clipboard.
        Transient content (our pastes, the token) is not handed on: it just ends.
        """
        with self._lock:
            owner, self._owner = self._owner, None
        if owner is None:
            return
        try:
            if owner.alive:
                self._hand_over(owner)
        finally:
            owner.close()

    def _hand_over(self, owner: SelectionOwner) -> None:
        try:
            offer = owner.offer(CLIPBOARD)
        except ClipboardError:
            return
        if not offer or TRANSIENT_HINT in offer:
            return
        if owner.save_to_manager(timeout=3.0):
            logger.info("the clipboard manager took the clipboard")
            return
        generation = owner.generation(CLIPBOARD)
        if generation is not None and start_keeper(self._display_name, offer):
            owner.wait_lost(CLIPBOARD, generation, timeout=2.0)
            logger.info("a keeper process serves the clipboard after we quit")

    # Reading (xclip) ----------------------------------------------------------

    def _xclip_out(self, selection: str, target: str) -> bytes | None:
        env = dict(os.environ)
        if self._display_name is not None:
            env["DISPLAY"] = self._display_name
        args = [self._xclip, "-o", "-selection", selection.lower(), "-t", target]
        try:
            done = subprocess.run(
                args, capture_output=True, timeout=self._read_timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            logger.debug("the %s owner did not answer for a target in time", selection)
            return None
        except OSError as exc:
            raise ClipboardError("xclip cannot be run") from exc
        return done.stdout if done.returncode == 0 else None

    def _targets(self, selection: str) -> list[str]:
        listing = self._xclip_out(selection, "TARGETS")
        if not listing:
            return []
        names = {n for n in listing.decode("utf-8", "replace").split() if n}
        return sorted(names - META_TARGETS - _DERIVED_TARGETS, key=_text_first)

    def read(self) -> ClipboardSnapshot:
        """Every content target of the clipboard (text first, bounded in count and size)."""
        ours = self._selection_owner().offer(CLIPBOARD)
        if ours is not None:
            return ClipboardSnapshot(
                tuple((t, d) for t, d in ours.items() if t not in _DERIVED_TARGETS)
            )
        formats: list[tuple[str, bytes]] = []
        total = 0
        for target in self._targets(CLIPBOARD)[: self._max_targets]:
            data = self._xclip_out(CLIPBOARD, target)
            if data is None:
                continue
            if total + len(data) > self._max_bytes:
                logger.warning("clipboard snapshot truncated: over %d bytes", self._max_bytes)
                break
            total += len(data)
            formats.append((target, data))
        return ClipboardSnapshot(tuple(formats))

    def _read_text(self, selection: str) -> str | None:
        for target, encoding in (("UTF8_STRING", "utf-8"), ("STRING", "latin-1")):
            data = self._xclip_out(selection, target)
            if data is not None:
                return data.decode(encoding, errors="replace")
        return None

    def read_text(self) -> str | None:
        """The clipboard's text, or None."""
        ours = self._selection_owner().offer(CLIPBOARD)
        if ours is not None:
            return ClipboardSnapshot(tuple(ours.items())).text()
        return self._read_text(CLIPBOARD)

    def read_primary(self) -> str | None:
        """PRIMARY's text, only when the focused application owns it (not a stale one elsewhere)."""

        def primary_is_focused(display: Display) -> bool:
            owner = display.get_selection_owner(display.intern_atom(PRIMARY))
            owner_id = int(getattr(owner, "id", owner))
            clients = focused_clients(display)
            if not owner_id or clients is None:
                return False
            return client_of(display, owner_id) in clients

        if not self._selection_owner().call(primary_is_focused):
            return None
        return self._read_text(PRIMARY)

    # Writing (our selection owner) ---------------------------------------------

    def write_text(self, text: str, *, transient: bool = False) -> ClipboardTicket:
        """Own the clipboard with `text`; transient text carries the password-manager hint."""
        generation = self._selection_owner().own(CLIPBOARD, text_offer(text, transient=transient))
        if generation is None:  # only an own() with `replacing` declines; this one has none
            raise ClipboardError("could not take the X clipboard")
        return ClipboardTicket(generation, transient, text)

    def restore(
        self, snapshot: ClipboardSnapshot, *, replacing: ClipboardTicket | None = None
    ) -> bool:
        """Serve `snapshot` again (an empty one empties the clipboard)."""
        owner = self._selection_owner()
        generation = None if replacing is None else replacing.generation
        if snapshot.is_empty:
            return owner.clear(CLIPBOARD, generation)
        offer = dict(snapshot.formats)
        if "UTF8_STRING" in offer:
            offer.setdefault("TEXT", offer["UTF8_STRING"])
        return owner.own(CLIPBOARD, offer, replacing=generation) is not None

    def holds(self, ticket: ClipboardTicket) -> bool:
        """Whether our write of `ticket` is still the clipboard's content."""
        return self._selection_owner().confirm(CLIPBOARD, ticket.generation)

    def wait_until_replaced(self, ticket: ClipboardTicket, timeout: float) -> bool:
        """Wait (event-driven: SelectionClear) until another application took the clipboard."""
        return self._selection_owner().wait_lost(CLIPBOARD, ticket.generation, timeout)

    def wait_for_paste(self, ticket: ClipboardTicket, since: float, timeout: float) -> bool:
        """Wait until the focused application fetched the text of `ticket` after `since`."""
        owner = self._selection_owner()
        clients = owner.call(focused_clients)
        return owner.wait_served(
            CLIPBOARD,
            ticket.generation,
            since=since,
            clients=clients,
            ignore_targets=_NOT_A_PASTE,
            timeout=timeout,
        )
