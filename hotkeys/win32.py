"""The Windows clipboard through ctypes.

TODO(Windows): written against the Win32 documentation but never run here (no
Windows machine in this project's CI). Paste landing is not detected: that
would need delayed rendering (SetClipboardData(fmt, NULL) + WM_RENDERFORMAT).
"""

from __future__ import annotations

import ctypes
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hotkeys.clipboard import Clipboard, ClipboardSnapshot, ClipboardTicket
from hotkeys.errors import ClipboardError

logger = logging.getLogger(__name__)

CF_UNICODETEXT = 13
_GMEM_MOVEABLE = 0x0002
_ZERO_DWORD = (0).to_bytes(4, "little")
# Clipboard monitors, Clipboard History (Win+V) and the cloud clipboard skip
# content that carries these registered formats.
TRANSIENT_FORMATS: tuple[tuple[str, bytes], ...] = (
    ("ExcludeClipboardContentFromMonitorProcessing", _ZERO_DWORD),
    ("CanIncludeInClipboardHistory", _ZERO_DWORD),
    ("CanUploadToCloudClipboard", _ZERO_DWORD),
)
# Registered formats worth restoring besides the text (all are HGLOBAL blocks).
KEPT_FORMATS = frozenset({"HTML Format", "Rich Text Format"})

if sys.platform == "win32":
    from ctypes import wintypes

    _user32 = ctypes.WinDLL("user32", use_last_error=True)
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _user32.OpenClipboard.argtypes = [wintypes.HWND]
    _user32.OpenClipboard.restype = wintypes.BOOL
    _user32.CloseClipboard.restype = wintypes.BOOL
    _user32.EmptyClipboard.restype = wintypes.BOOL
    _user32.EnumClipboardFormats.argtypes = [wintypes.UINT]
    _user32.EnumClipboardFormats.restype = wintypes.UINT
    _user32.GetClipboardData.argtypes = [wintypes.UINT]
    _user32.GetClipboardData.restype = wintypes.HANDLE
    _user32.SetClipboardData.argtypes = [wintypes.UINT, wintypes.HANDLE]
    _user32.SetClipboardData.restype = wintypes.HANDLE
    _user32.RegisterClipboardFormatW.argtypes = [wintypes.LPCWSTR]
    _user32.RegisterClipboardFormatW.restype = wintypes.UINT
    _user32.GetClipboardFormatNameW.argtypes = [wintypes.UINT, wintypes.LPWSTR, ctypes.c_int]
    _user32.GetClipboardFormatNameW.restype = ctypes.c_int
    _user32.GetClipboardSequenceNumber.restype = wintypes.DWORD
    _kernel32.GlobalAlloc.argtypes = [wintypes.UINT, ctypes.c_size_t]
    _kernel32.GlobalAlloc.restype = wintypes.HGLOBAL
    _kernel32.GlobalLock.argtypes = [wintypes.HGLOBAL]
    _kernel32.GlobalLock.restype = wintypes.LPVOID
    _kernel32.GlobalUnlock.argtypes = [wintypes.HGLOBAL]
    _kernel32.GlobalSize.argtypes = [wintypes.HGLOBAL]
    _kernel32.GlobalSize.restype = ctypes.c_size_t
    _kernel32.GlobalFree.argtypes = [wintypes.HGLOBAL]

    @contextmanager
    def _opened() -> Iterator[None]:
        # Another program may hold the clipboard open for a moment: retry briefly.
        for _ in range(20):
            if _user32.OpenClipboard(None):
                break
            time.sleep(0.01)
        else:
            raise ClipboardError("the Windows clipboard is busy")
        try:
            yield
        finally:
            _user32.CloseClipboard()

    def _format_name(fmt: int) -> str | None:
        if fmt == CF_UNICODETEXT:
            return "CF_UNICODETEXT"
        buffer = ctypes.create_unicode_buffer(256)
        return buffer.value if _user32.GetClipboardFormatNameW(fmt, buffer, 256) else None

    def _format_id(name: str) -> int:
        if name == "CF_UNICODETEXT":
            return CF_UNICODETEXT
        return int(_user32.RegisterClipboardFormatW(name))

    def _get(fmt: int) -> bytes | None:
        handle = _user32.GetClipboardData(fmt)
        if not handle:
            return None
        pointer = _kernel32.GlobalLock(handle)
        if not pointer:
            return None
        try:
            return ctypes.string_at(pointer, _kernel32.GlobalSize(handle))
        finally:
            _kernel32.GlobalUnlock(handle)

    def _set(fmt: int, data: bytes) -> None:
        handle = _kernel32.GlobalAlloc(_GMEM_MOVEABLE, max(len(data), 1))
        pointer = _kernel32.GlobalLock(handle)
        ctypes.memmove(pointer, data, len(data))
        _kernel32.GlobalUnlock(handle)
        # On success the system owns the memory; on failure it stays ours to free.
        if not _user32.SetClipboardData(fmt, handle):
            _kernel32.GlobalFree(handle)
            raise ClipboardError("the Windows clipboard refused the data")

    class WindowsClipboard(Clipboard):
        """The Windows clipboard: Unicode text plus HTML/RTF, transient content marked."""

        def is_available(self) -> bool:
            """Always, on Windows."""
            return True

        def read(self) -> ClipboardSnapshot:
            """Unicode text, HTML and RTF formats."""
            formats: list[tuple[str, bytes]] = []
            with _opened():
                fmt = _user32.EnumClipboardFormats(0)
                while fmt:
                    name = _format_name(fmt)
                    if name == "CF_UNICODETEXT" or name in KEPT_FORMATS:
                        data = _get(fmt)
                        if data is not None and name is not None:
                            formats.append((name, data))
                    fmt = _user32.EnumClipboardFormats(fmt)
            return ClipboardSnapshot(tuple(formats))

        def read_text(self) -> str | None:
            """The clipboard's text."""
            with _opened():
                data = _get(CF_UNICODETEXT)
            return None if data is None else ClipboardSnapshot((("CF_UNICODETEXT", data),)).text()

        def _write(self, formats: tuple[tuple[str, bytes], ...]) -> int:
            with _opened():
                _user32.EmptyClipboard()
                for name, data in formats:
                    _set(_format_id(name), data)
            return int(_user32.GetClipboardSequenceNumber())

        def write_text(self, text: str, *, transient: bool = False) -> ClipboardTicket:
            """Put text on the clipboard; transient text is excluded from history and monitors."""
            formats = (("CF_UNICODETEXT", (text + "\0").encode("utf-16-le")),)
            return ClipboardTicket(
                self._write(formats + (TRANSIENT_FORMATS if transient else ())), transient, text
            )

        def restore(
            self, snapshot: ClipboardSnapshot, *, replacing: ClipboardTicket | None = None
        ) -> bool:
            """Put the snapshot's formats back."""
            if replacing is not None and not self.holds(replacing):
                return False
            self._write(snapshot.formats)
            return True

        def holds(self, ticket: ClipboardTicket) -> bool:
            """Whether nothing was written since `ticket` (clipboard sequence number)."""
            return int(_user32.GetClipboardSequenceNumber()) == ticket.generation
