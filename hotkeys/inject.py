"""Putting text where the cursor is: by typing it, or by pasting it through the clipboard.

The paste path restores the user's clipboard only once the target application
fetched the text (X11 tells us: our selection owner sees its request); until
then, restoring would paste the old clipboard instead of the transcript.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Literal

from hotkeys.clipboard import Clipboard
from hotkeys.errors import InjectionError
from hotkeys.keyboard import Keyboard
from hotkeys.parse import Hotkey
from hotkeys.shortcuts import paste_shortcut_for

logger = logging.getLogger(__name__)

Method = Literal["auto", "type", "paste"]


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
