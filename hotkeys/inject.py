"""Putting text where the cursor is: by typing it, or by pasting it through the clipboard.

The paste path restores the user's clipboard only once the target application
fetched the text (X11 tells us: our selection owner sees its request); until
then, restoring would paste the old clipboard instead of the transcript.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from daemon.errors import SottovoceError
from hotkeys.parse import Hotkey, parse_hotkey

if TYPE_CHECKING:
    from hotkeys.clipboard import Clipboard

logger = logging.getLogger(__name__)

Method = Literal["auto", "type", "paste"]


class InjectionError(SottovoceError):
    """Text could not be typed or pasted into the focused application."""


class Keyboard(Protocol):
    """Synthetic keystrokes that reach every application on this platform."""

    def is_available(self) -> bool:
        """Whether keystrokes can be sent here."""

    def release_modifiers(self) -> None:
        """Release modifier keys still held (from the hotkey that started us)."""

    def send_chord(self, hotkey: Hotkey) -> None:
        """Send one shortcut such as Ctrl+V, with its modifiers really held."""

    def type_text(self, text: str) -> None:
        """Type `text` exactly."""

    def focused_app(self) -> str | None:
        """The focused application's class name where the platform tells ("XTerm")."""

    def close(self) -> None:
        """Free what the keyboard holds."""


# Applications whose paste shortcut is not Ctrl+V (lower-case X11 WM_CLASS class).
# None: no default key pastes the CLIPBOARD (xterm's Shift+Insert pastes PRIMARY).
TERMINAL_SHORTCUTS: Mapping[str, tuple[str, str] | None] = {
    **dict.fromkeys(("xterm", "uxterm", "urxvt", "rxvt", "st", "st-256color"), None),
    **dict.fromkeys(
        (
            "gnome-terminal",
            "gnome-terminal-server",
            "konsole",
            "xfce4-terminal",
            "mate-terminal",
            "tilix",
            "terminator",
            "alacritty",
            "kitty",
            "org.wezfurlong.wezterm",
            "lxterminal",
            "qterminal",
            "terminology",
            "ptyxis",
            "ghostty",
            "com.mitchellh.ghostty",
        ),
        ("<ctrl>+<shift>+c", "<ctrl>+<shift>+v"),
    ),
}


def _shortcuts(app: str | None, platform: str) -> tuple[str, str] | None:
    if platform == "darwin":
        return "<cmd>+c", "<cmd>+v"
    if app is not None and app.lower() in TERMINAL_SHORTCUTS:
        return TERMINAL_SHORTCUTS[app.lower()]
    return "<ctrl>+c", "<ctrl>+v"


def paste_shortcut_for(app: str | None, platform: str = sys.platform) -> Hotkey | None:
    """The shortcut that pastes the clipboard in `app`; None when it has none."""
    keys = _shortcuts(app, platform)
    return None if keys is None else parse_hotkey(keys[1])


def copy_shortcut_for(app: str | None, platform: str = sys.platform) -> Hotkey | None:
    """The shortcut that copies the selection in `app`; None where it does harm (^C in xterm)."""
    keys = _shortcuts(app, platform)
    return None if keys is None else parse_hotkey(keys[0])


class PynputKeyboard:
    """Keystrokes through pynput, for Windows and macOS (on X11 use XTestKeyboard)."""

    def __init__(self) -> None:
        self._controller: Any = None

    def _keyboard(self) -> Any:
        if self._controller is None:
            # Imported here: pynput.keyboard needs a display at import time.
            from pynput import keyboard

            self._controller = keyboard.Controller()
        return self._controller

    def is_available(self) -> bool:
        """Whether pynput can load a backend here."""
        try:
            self._keyboard()
        except Exception:  # pynput raises ImportError or platform errors alike
            return False
        return True

    def release_modifiers(self) -> None:
        """Release every modifier, held or not (a release of a key not down is harmless)."""
        from pynput.keyboard import Key

        controller = self._keyboard()
        for key in (Key.ctrl, Key.alt, Key.shift, Key.cmd, Key.alt_gr):
            controller.release(key)

    def send_chord(self, hotkey: Hotkey) -> None:
        """Hold the modifiers, tap the key, release."""
        from pynput.keyboard import Key, KeyCode

        controller = self._keyboard()
        self.release_modifiers()
        name = hotkey.key_name
        key = KeyCode.from_char(hotkey.key) if name is None else Key[name]
        held = ("ctrl", "alt", "alt_gr", "shift", "cmd")
        modifiers = [Key[m] for m in held if m in hotkey.modifiers]
        with controller.pressed(*modifiers):
            controller.tap(key)

    def type_text(self, text: str) -> None:
        """Type text (pynput sends Unicode directly on Windows and macOS)."""
        self.release_modifiers()
        self._keyboard().type(text)

    def focused_app(self) -> str | None:
        """Unknown on these platforms (TODO: GetForegroundWindow / NSWorkspace)."""
        return None

    def close(self) -> None:
        """Nothing to free."""


def create_keyboard(display: str | None = None) -> Keyboard:
    """The keyboard for this platform: XTEST on X11, pynput elsewhere."""
    if sys.platform in ("win32", "darwin"):
        return PynputKeyboard()
    from hotkeys.x11.keyboard import XTestKeyboard

    return XTestKeyboard(display if display is not None else os.environ.get("DISPLAY"))


@dataclass(frozen=True)
class InjectionResult:
    """How text went in."""

    method: Literal["type", "paste"]
    # For a paste: whether the application fetched the text; None where the platform cannot tell.
    landed: bool | None = True
    clipboard_restored: bool = False


class Injector(ABC):
    """One way of putting text at the cursor."""

    name: ClassVar[str]

    @abstractmethod
    def is_available(self) -> bool:
        """Whether this strategy can work here."""

    @abstractmethod
    def inject(self, text: str) -> InjectionResult:
        """Put `text` into the focused application."""


class TypeInjector(Injector):
    """Types the text with synthetic keystrokes."""

    name = "type"

    def __init__(self, keyboard: Keyboard) -> None:
        self.keyboard = keyboard

    def is_available(self) -> bool:
        """Whether the keyboard works here."""
        return self.keyboard.is_available()

    def inject(self, text: str) -> InjectionResult:
        """Type `text`."""
        self.keyboard.type_text(text)
        return InjectionResult("type")


class PasteInjector(Injector):
    """Puts the text on the clipboard (marked transient), pastes it, then restores the clipboard."""

    name = "paste"

    def __init__(
        self,
        clipboard: Clipboard,
        keyboard: Keyboard,
        *,
        shortcut: Hotkey | None = None,
        landing_timeout: float = 2.0,
        restore_on_timeout: bool = False,
        blind_delay: float = 0.5,
    ) -> None:
        self.clipboard = clipboard
        self.keyboard = keyboard
        self.shortcut = shortcut
        self.landing_timeout = landing_timeout
        # False: when the paste never lands, the text stays on the clipboard (marked transient)
        # for the user to paste by hand, rather than risk a late paste of the old clipboard.
        self.restore_on_timeout = restore_on_timeout
        # Where the platform cannot tell that a paste landed, wait this long before restoring.
        self.blind_delay = blind_delay

    def is_available(self) -> bool:
        """Whether clipboard and keyboard both work here."""
        return self.clipboard.is_available() and self.keyboard.is_available()

    def inject(self, text: str) -> InjectionResult:
        """Paste `text` with the focused application's paste shortcut."""
        shortcut = self.shortcut or paste_shortcut_for(self.keyboard.focused_app())
        if shortcut is None:
            raise InjectionError("the focused application has no key that pastes the clipboard")
        return self.paste(text, shortcut)

    def paste(self, text: str, shortcut: Hotkey) -> InjectionResult:
        """Paste `text` by sending `shortcut`; restore the clipboard once the paste landed."""
        previous = self.clipboard.read()
        ticket = self.clipboard.write_text(text, transient=True)
        since = time.monotonic()
        self.keyboard.send_chord(shortcut)
        landed = self.clipboard.wait_for_paste(ticket, since, self.landing_timeout)
        if landed is None:
            time.sleep(self.blind_delay)
        elif not landed and not self.restore_on_timeout:
            logger.warning("the paste did not land in time; the text stays on the clipboard")
            return InjectionResult("paste", landed=False, clipboard_restored=False)
        restored = self.clipboard.restore(previous, replacing=ticket)
        return InjectionResult("paste", landed=landed, clipboard_restored=restored)


class AutoInjector(Injector):
    """Types short single-line text; pastes long or multi-line text where a paste key exists."""

    name = "auto"

    def __init__(
        self, typer: TypeInjector, paster: PasteInjector, *, paste_over: int = 200
    ) -> None:
        self.typer = typer
        self.paster = paster
        self.paste_over = paste_over

    def is_available(self) -> bool:
        """Whether typing works here (pasting is optional)."""
        return self.typer.is_available()

    def inject(self, text: str) -> InjectionResult:
        """Type or paste `text`, whichever suits the text and the focused application."""
        shortcut = paste_shortcut_for(self.typer.keyboard.focused_app())
        long_text = len(text) > self.paste_over or "\n" in text
        if shortcut is not None and long_text:
            return self.paster.paste(text, shortcut)
        try:
            return self.typer.inject(text)
        except InjectionError:
            if shortcut is None:
                raise
            logger.info("typing failed; pasting instead")
            return self.paster.paste(text, shortcut)


def create_injector(method: Method, clipboard: Clipboard, keyboard: Keyboard) -> Injector:
    """The injector for a configured method ("auto", "type" or "paste")."""
    typer = TypeInjector(keyboard)
    paster = PasteInjector(clipboard, keyboard)
    if method == "type":
        return typer
    if method == "paste":
        return paster
    return AutoInjector(typer, paster)
