"""The macOS clipboard through pbcopy/pbpaste."""

from __future__ import annotations

import os
import subprocess
import sys

from hotkeys.clipboard import Clipboard, ClipboardSnapshot, ClipboardTicket
from hotkeys.errors import ClipboardError


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
