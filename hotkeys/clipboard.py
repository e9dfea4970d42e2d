"""The system clipboard: snapshot, write (optionally marked transient), restore.

Backends: X11 (hotkeys.x11.clipboard), macOS (pbcopy/pbpaste) and Windows
(ctypes). `create_clipboard()` picks the one for this platform.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from daemon.errors import SottovoceError

logger = logging.getLogger(__name__)

# Format names whose bytes are the clipboard's text, with their encodings, most exact first.
TEXT_FORMATS: tuple[tuple[str, str], ...] = (
    ("UTF8_STRING", "utf-8"),
    ("text/plain;charset=utf-8", "utf-8"),
    ("public.utf8-plain-text", "utf-8"),
    ("CF_UNICODETEXT", "utf-16-le"),
    ("STRING", "latin-1"),
    ("text/plain", "utf-8"),
)


class ClipboardError(SottovoceError):
    """The clipboard cannot be read or written."""


@dataclass(frozen=True)
class ClipboardSnapshot:
    """The clipboard's content at one moment: (format, bytes) pairs; none means empty."""

    formats: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        # Clipboard content is private: never let it reach a log through repr().
        sizes = ", ".join(f"{name}: {len(data)} B" for name, data in self.formats)
        return f"ClipboardSnapshot({sizes})"

    @property
    def is_empty(self) -> bool:
        """Whether the clipboard held nothing."""
        return not self.formats

    def get(self, name: str) -> bytes | None:
        """The bytes of one format, if present."""
        return next((data for fmt, data in self.formats if fmt == name), None)

    def text(self) -> str | None:
        """The clipboard's text, if it held any."""
        for name, encoding in TEXT_FORMATS:
            data = self.get(name)
            if data is not None:
                text = data.decode(encoding, errors="replace")
                return text[:-1] if name == "CF_UNICODETEXT" and text.endswith("\0") else text
        return None


@dataclass(frozen=True)
class ClipboardTicket:
    """Proof of one write: lets callers ask whether that content is still there."""

    generation: int
    transient: bool
    text: str = field(repr=False)


class Clipboard(ABC):
    """One platform's clipboard."""

    @abstractmethod
    def is_available(self) -> bool:
        """Whether this backend works here (tools installed, display reachable)."""

    @abstractmethod
    def read(self) -> ClipboardSnapshot:
        """Everything the clipboard holds now, so that restore() can bring it back."""

    @abstractmethod
    def read_text(self) -> str | None:
        """The clipboard's text, or None when it holds no text."""

    @abstractmethod
    def write_text(self, text: str, *, transient: bool = False) -> ClipboardTicket:
        """Put `text` on the clipboard; transient text is marked for clipboard managers to skip."""

    @abstractmethod
    def restore(
        self, snapshot: ClipboardSnapshot, *, replacing: ClipboardTicket | None = None
    ) -> bool:
        """Put `snapshot` back; with `replacing`, only while that write is still there."""

    def holds(self, ticket: ClipboardTicket) -> bool:
        """Whether the clipboard still holds what `ticket` wrote."""
        return self.read_text() == ticket.text

    def wait_until_replaced(self, ticket: ClipboardTicket, timeout: float) -> bool:
        """Wait up to `timeout` s for someone else to replace `ticket`'s content."""
        deadline = time.monotonic() + timeout
        while self.holds(ticket):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def wait_for_paste(self, ticket: ClipboardTicket, since: float, timeout: float) -> bool | None:
        """Wait for the focused application to fetch `ticket`'s text; None if unknowable here."""
        return None

    def read_primary(self) -> str | None:
        """The focused application's PRIMARY selection (X11 only), else None."""
        return None

    def close(self) -> None:  # noqa: B027 - most backends hold nothing
        """Release what the backend holds (threads, connections)."""

    def __enter__(self) -> Clipboard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _run(args: list[str], data: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=2, env=env, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClipboardError(f"the clipboard tool {args[0]} failed") from exc
    return done.stdout


class MacClipboard(Clipboard):
    """macOS through pbcopy/pbpaste: plain text only.

    TODO(macOS, untested here): marking transient text needs the pasteboard
    types org.nspasteboard.TransientType / ConcealedType, which pbcopy cannot
    set; rich content (RTF, images) is not snapshotted.
    """

    def __init__(self) -> None:
        # pbcopy reads its input in the locale's encoding.
        self._env = {**os.environ, "LANG": "en_US.UTF-8"}

    def is_available(self) -> bool:
        """Whether pbcopy and pbpaste exist (macOS)."""
        return sys.platform == "darwin"

    def read(self) -> ClipboardSnapshot:
        """The clipboard's text as a snapshot."""
        text = self.read_text()
        if text is None:
            return ClipboardSnapshot()
        return ClipboardSnapshot((("public.utf8-plain-text", text.encode()),))

    def read_text(self) -> str | None:
        """The clipboard's text (pbpaste)."""
        data = _run(["pbpaste", "-Prefer", "txt"], env=self._env)
        return data.decode("utf-8", errors="replace") or None

    def write_text(self, text: str, *, transient: bool = False) -> ClipboardTicket:
        """Put text on the clipboard (pbcopy); the transient mark is not supported yet."""
        _run(["pbcopy"], text.encode(), env=self._env)
        return ClipboardTicket(0, transient, text)

    def restore(
        self, snapshot: ClipboardSnapshot, *, replacing: ClipboardTicket | None = None
    ) -> bool:
        """Put the snapshot's text back."""
        if replacing is not None and not self.holds(replacing):
            return False
        _run(["pbcopy"], (snapshot.text() or "").encode(), env=self._env)
        return True


def create_clipboard(display: str | None = None) -> Clipboard:
    """The clipboard backend for this platform (`display` is the X display on Linux)."""
    if sys.platform == "darwin":
        return MacClipboard()
    if sys.platform == "win32":
        from hotkeys.win32 import WindowsClipboard

        return WindowsClipboard()
    # Imported here: python-xlib is only needed (and only installed) on X11 systems.
    from hotkeys.x11.clipboard import X11Clipboard

    return X11Clipboard(display)
