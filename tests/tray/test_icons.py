"""The state icons: committed PNGs match the drawing code, and every state looks different."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image

from hotkeys.tray.icons import (
    BACKGROUND,
    ICONS_DIR,
    SIZE,
    draw_icon,
    flatten,
    icon_path,
    load_icon,
)
from hotkeys.tray.model import TrayState
from tests.tray.xtray import dominant_colour, near


@pytest.mark.parametrize("state", list(TrayState))
def test_committed_png_matches_the_drawing(state: TrayState) -> None:
    committed = load_icon(state)
    drawn = draw_icon(state)
    assert icon_path(state).is_file(), f"missing {icon_path(state)}"
    assert committed.size == drawn.size == (SIZE, SIZE)
    assert committed.tobytes() == drawn.tobytes(), (
        f"assets/icons/{state.value}.png is stale: run `python -m hotkeys.tray.icons`"
    )


def test_every_state_has_its_own_icon() -> None:
    images = {state: draw_icon(state).tobytes() for state in TrayState}
    for first, second in combinations(TrayState, 2):
        assert images[first] != images[second], f"{first} and {second} look the same"


@pytest.mark.parametrize("state", list(TrayState))
def test_icon_is_mostly_its_state_colour(state: TrayState) -> None:
    colour = dominant_colour(draw_icon(state).convert("RGB"))
    assert near(colour, BACKGROUND[state], tolerance=0)


def test_state_colours_are_far_apart() -> None:
    for first, second in combinations(TrayState, 2):
        assert not near(BACKGROUND[first], BACKGROUND[second], tolerance=24), (first, second)


def test_missing_png_falls_back_to_the_drawing(tmp_path: Path) -> None:
    assert (
        load_icon(TrayState.LISTENING, tmp_path).tobytes()
        == draw_icon(TrayState.LISTENING).tobytes()
    )


def test_icons_live_in_assets() -> None:
    assert ICONS_DIR.parts[-2:] == ("assets", "icons")


def _bright_runs(row: list[int], threshold: int = 200) -> int:
    runs, inside = 0, False
    for value in row:
        if value >= threshold and not inside:
            runs += 1
        inside = value >= threshold
    return runs


@pytest.mark.parametrize("size", [16, 24])
def test_the_working_dots_stay_visible_at_tray_sizes(size: int) -> None:
    small = draw_icon(TrayState.WORKING).resize((size, size), Image.Resampling.LANCZOS)
    grey = small.convert("L")
    middle = [int(grey.getpixel((x, size // 2))) for x in range(size)]
    assert _bright_runs(middle) == 3, middle


def test_icon_corners_are_transparent() -> None:
    for state in TrayState:
        image = draw_icon(state)
        for corner in ((0, 0), (SIZE - 1, 0), (0, SIZE - 1), (SIZE - 1, SIZE - 1)):
            assert image.getpixel(corner)[3] == 0, (state, corner)


@pytest.mark.parametrize("state", list(TrayState))
def test_flattened_for_xorg_the_corners_are_the_tile_not_black(state: TrayState) -> None:
    flat = flatten(draw_icon(state), (24, 24))
    assert flat.mode == "RGB"
    # The corners take the icon's own main colour, not pystray's black.
    assert flat.getpixel((0, 0)) != (0, 0, 0)
    assert flat.getpixel((0, 0)) == dominant_colour(flat)
