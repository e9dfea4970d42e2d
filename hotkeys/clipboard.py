"""The clipboard interface: snapshot, write (optionally marked transient), restore.

One module per backend implements it: X11 (hotkeys.x11.clipboard), macOS
(hotkeys.mac), Windows (hotkeys.win32); hotkeys.backends picks one.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from hotkeys.errors import ClipboardError

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


__all__ = ["TEXT_FORMATS", "Clipboard", "ClipboardError", "ClipboardSnapshot", "ClipboardTicket"]
