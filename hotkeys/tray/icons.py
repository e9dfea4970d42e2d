"""The tray icons: drawn here with Pillow, committed as PNGs under assets/icons/.

Regenerate the PNGs after changing a drawing: `python -m hotkeys.tray.icons`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image, ImageDraw

from daemon.assets import asset_path
from hotkeys.tray.model import TrayState

log = logging.getLogger(__name__)

ICONS_DIR = asset_path("icons")
SIZE = 64
WHITE = (255, 255, 255, 255)
# The colour that fills most of each icon; tests look for it on screen.
BACKGROUND: dict[TrayState, tuple[int, int, int]] = {
    TrayState.IDLE: (107, 114, 128),
    TrayState.LISTENING: (220, 38, 38),
    TrayState.WORKING: (217, 119, 6),
    TrayState.PAUSED: (75, 85, 99),
    TrayState.ERROR: (31, 41, 55),
}
PAUSED_STRIPE = (156, 163, 175)
DOT_CENTRES = (14, 32, 50)
DOT_RADIUS = 6
ERROR_CROSS = (239, 68, 68, 255)


def icon_path(state: TrayState, folder: Path = ICONS_DIR) -> Path:
    """Where the PNG for `state` lives."""
    return folder / f"{state.value}.png"


def draw_icon(state: TrayState) -> Image.Image:
    """The icon for `state`, drawn from scratch (RGBA, SIZE x SIZE)."""
    # Plain primitives, no anti-aliasing or resampling: the same Pillow draws
    # the same bytes, so the committed PNGs can be checked against this code.
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    tile = (2, 2, SIZE - 3, SIZE - 3)
    draw.rounded_rectangle(tile, radius=12, fill=(*BACKGROUND[state], 255))
    if state is TrayState.PAUSED:
        _stripes(image, tile)
        _pause_bars(draw)
    elif state is TrayState.ERROR:
        _cross(draw)
    elif state is TrayState.WORKING:
        _dots(draw)
    else:
        _microphone(draw)
    return image


def _microphone(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle((25, 10, 38, 36), radius=6, fill=WHITE)
    draw.arc((18, 20, 45, 44), start=0, end=180, fill=WHITE, width=3)
    draw.line((31, 44, 31, 51), fill=WHITE, width=3)
    draw.line((23, 51, 40, 51), fill=WHITE, width=3)


def _dots(draw: ImageDraw.ImageDraw) -> None:
    # Three dots across the tile, in place of the microphone: tray hosts show
    # the icon at 16-24 px, where small dots in a corner vanish (4 px dots
    # became 1.5 px smudges at 24 px).
    for x in DOT_CENTRES:
        draw.ellipse((x - DOT_RADIUS, 32 - DOT_RADIUS, x + DOT_RADIUS, 32 + DOT_RADIUS), fill=WHITE)


def _stripes(image: Image.Image, tile: tuple[int, int, int, int]) -> None:
    stripes = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(stripes)
    for offset in range(-SIZE, SIZE, 16):
        draw.polygon(
            [(offset, SIZE), (offset + 6, SIZE), (offset + 6 + SIZE, 0), (offset + SIZE, 0)],
            fill=(*PAUSED_STRIPE, 255),
        )
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(tile, radius=12, fill=255)
    image.paste(stripes, (0, 0), Image.composite(stripes, Image.new("RGBA", image.size), mask))


def _pause_bars(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle((20, 16, 28, 47), radius=2, fill=WHITE)
    draw.rounded_rectangle((35, 16, 43, 47), radius=2, fill=WHITE)


def _cross(draw: ImageDraw.ImageDraw) -> None:
    draw.line((17, 17, 46, 46), fill=ERROR_CROSS, width=8)
    draw.line((17, 46, 46, 17), fill=ERROR_CROSS, width=8)


def flatten(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` scaled to `size` on an opaque ground of its own main colour (RGB).

    For pystray's xorg backend, which has no transparency: it pastes the icon
    onto black, so the rounded tile's transparent corners showed black in the
    tray. On the tile's own colour the icon is square instead.
    """
    scaled = image.convert("RGBA").resize(size, Image.Resampling.LANCZOS)
    colours = scaled.convert("RGB").getcolors(maxcolors=size[0] * size[1]) or [(1, (0, 0, 0))]
    opaque = [
        (count, colour)
        for count, colour in colours
        if isinstance(colour, tuple) and colour != (0, 0, 0)
    ]
    _, ground = max(opaque or colours, key=lambda counted: counted[0])
    canvas = Image.new("RGB", size, ground if isinstance(ground, tuple) else 0)
    canvas.paste(scaled, (0, 0), scaled)
    return canvas


def load_icon(state: TrayState, folder: Path = ICONS_DIR) -> Image.Image:
    """The committed PNG for `state`; drawn afresh (with a warning) when the file is missing."""
    path = icon_path(state, folder)
    try:
        with Image.open(path) as image:
            return image.convert("RGBA")
    except FileNotFoundError:
        log.warning("tray icon %s.png is missing from the assets; drawing it", state.value)
        return draw_icon(state)


def write_icons(folder: Path = ICONS_DIR) -> list[Path]:
    """Draw every state's icon into `folder` as PNG; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for state in TrayState:
        path = icon_path(state, folder)
        draw_icon(state).save(path, format="PNG", optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    write_icons()
