"""A private X server with a tray host (trayer), screenshots, and the tray icon's window."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import Xlib.display
import Xlib.error
import Xlib.X
from PIL import Image

from daemon.bench.desktop import DesktopError, start_xvfb
from hotkeys.tray.icons import flatten
from tests.hotkeys.xapps import require, stop, wait_for

TOOLS = {
    "Xvfb": "xvfb",
    "trayer": "trayer",
    "import": "imagemagick",
    "xwininfo": "x11-utils",
    "xdotool": "xdotool",
}
# pystray's xorg backend names the icon window's class after the icon's name; GTK
# after the program's name, capitalised ("Sottovoce"), on the icon and its menu.
ICON_CLASS = "sottovoce"
MENU_MIN_PX = 40
PANEL_NAME = "panel"


def require_tools() -> None:
    """Fail (never skip) when a tool the tray tests need is missing."""
    require(TOOLS, "tray")


@dataclass(frozen=True)
class Rect:
    """A window's place on the screen."""

    x: int
    y: int
    width: int
    height: int

    def contains(self, other: Rect) -> bool:
        """Whether `other` lies wholly inside this rectangle."""
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.x + other.width <= self.x + self.width
            and other.y + other.height <= self.y + self.height
        )

    def box(self) -> tuple[int, int, int, int]:
        """The rectangle as a PIL crop box."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass(frozen=True)
class TrayWindow:
    """What the X server shows of the tray icon."""

    rect: Rect
    name: str


class XTray:
    """Xvfb on a display number it picks itself, with trayer owning the system tray."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = self._start_xvfb(folder / "xvfb.log")
        self.env = {**os.environ, "DISPLAY": self.name}
        with (folder / "trayer.log").open("wb") as log:
            self.trayer = subprocess.Popen(
                [
                    "trayer",
                    "--edge", "top",
                    "--align", "right",
                    "--widthtype", "pixel",
                    "--width", "120",
                    "--height", "32",
                    "--transparent", "false",
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )  # fmt: skip
        self.display = Xlib.display.Display(self.name)
        owned = wait_for(self._tray_owner, bool, timeout=15)
        if not owned:
            self.close()
            pytest.fail(
                f"trayer did not take the system tray:\n{(folder / 'trayer.log').read_text()}",
                pytrace=False,
            )

    def _start_xvfb(self, log: Path) -> str:
        try:
            self.xvfb, name = start_xvfb(log)
        except DesktopError as error:
            pytest.fail(str(error), pytrace=False)
        return name

    def _tray_owner(self) -> bool:
        atom = self.display.intern_atom(f"_NET_SYSTEM_TRAY_S{self.display.get_default_screen()}")
        return bool(self.display.get_selection_owner(atom))

    def close(self) -> None:
        """Stop trayer and the X server."""
        self.display.close()
        stop(self.trayer)
        stop(self.xvfb)

    def screenshot(self, save_as: Path | None = None) -> Image.Image:
        """The whole screen, taken by ImageMagick's `import` as another X client would."""
        shot = subprocess.run(
            ["import", "-window", "root", "png:-"],
            env=self.env,
            capture_output=True,
            timeout=20,
            check=True,
        )
        if save_as is not None:
            save_as.write_bytes(shot.stdout)
        return Image.open(io.BytesIO(shot.stdout)).convert("RGB")

    def panel(self) -> Rect | None:
        """trayer's panel: the tray area."""
        window = self._find(lambda w: w.get_wm_name() == PANEL_NAME)
        return self._rect(window) if window is not None else None

    def icon_parent(self) -> int | None:
        """The id of the window the icon is embedded in (trayer's socket for it)."""
        window = self._find(self._is_icon)
        return int(window.query_tree().parent.id) if window is not None else None

    def tray_icon(self) -> TrayWindow | None:
        """The pystray icon's window, when one is mapped in the tray."""
        window = self._find(self._is_icon)
        if window is None:
            return None
        return TrayWindow(self._rect(window), str(window.get_wm_name() or ""))

    def menu(self) -> Rect | None:
        """The tray's open menu: a mapped top-level popup of ours, when one is shown."""
        root = self.display.screen().root
        for window in root.query_tree().children:
            try:
                if not (self._ours(window) and self._viewable(window)):
                    continue
                if not window.get_attributes().override_redirect:
                    continue
                rect = self._rect(window)
            except Xlib.error.XError:
                continue  # it closed while we looked
            if rect.width >= MENU_MIN_PX and rect.height >= MENU_MIN_PX:
                return rect
        return None

    def click(self, x: int, y: int, button: int = 1) -> None:
        """A real click at a screen position, through XTEST."""
        subprocess.run(
            ["xdotool", "mousemove", str(x), str(y), "click", str(button)],
            env=self.env,
            check=True,
            timeout=20,
        )

    def keys(self, *names: str) -> None:
        """Real key presses through XTEST (to the window holding the keyboard: an open menu)."""
        subprocess.run(["xdotool", "key", *names], env=self.env, check=True, timeout=20)

    @staticmethod
    def _ours(window: Any) -> bool:
        wm_class = window.get_wm_class()
        return bool(wm_class) and str(wm_class[1]).lower() == ICON_CLASS

    def _is_icon(self, window: Any) -> bool:
        # Embedded by the tray host: not our menu or GTK's leader window.
        if not (self._ours(window) and self._viewable(window)):
            return False
        return bool(window.query_tree().parent.id != self.display.screen().root.id)

    @staticmethod
    def _viewable(window: Any) -> bool:
        return bool(window.get_attributes().map_state == Xlib.X.IsViewable)

    def _find(self, match: Callable[[Any], bool]) -> Any:
        pending = [self.display.screen().root]
        while pending:
            window = pending.pop()
            try:
                if match(window):
                    return window
                pending.extend(window.query_tree().children)
            except Xlib.error.XError:
                # The window went away while we looked at it.
                continue
        return None

    def _rect(self, window: Any) -> Rect:
        geometry = window.get_geometry()
        origin = window.translate_coords(self.display.screen().root, 0, 0)
        return Rect(-origin.x, -origin.y, geometry.width, geometry.height)


def dominant_colour(image: Image.Image) -> tuple[int, int, int]:
    """The most frequent colour of an RGB image."""
    colours = image.getcolors(maxcolors=image.width * image.height)
    assert colours, "empty image"
    _, colour = max(colours, key=lambda counted: counted[0])
    assert isinstance(colour, tuple), "not an RGB image"
    return (int(colour[0]), int(colour[1]), int(colour[2]))


def as_drawn(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` as the fixed xorg backend paints it into a window of `size`."""
    return flatten(image, size)


def difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference per channel between two RGB images of one size."""
    assert first.size == second.size
    pairs = zip(first.tobytes(), second.tobytes(), strict=True)
    return sum(abs(a - b) for a, b in pairs) / (first.width * first.height * 3)


def near(colour: tuple[int, int, int], expected: tuple[int, int, int], tolerance: int = 12) -> bool:
    """Whether two colours match within `tolerance` on every channel."""
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))
