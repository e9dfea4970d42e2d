"""Files shipped in the repository's assets/ folder (icons, sounds, benchmark speech)."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


def asset_path(*parts: str) -> Path:
    """Path of a file under assets/ (e.g. asset_path("speech", "dictation-10s.flac"))."""
    return ASSETS_DIR.joinpath(*parts)
