"""What CLI commands share: paths and settings from the flags."""

from __future__ import annotations

import argparse
from pathlib import Path

from daemon.config import Settings, load_settings
from daemon.paths import Paths


def paths_and_settings(args: argparse.Namespace) -> tuple[Paths, Settings]:
    """Resolve the folders and read the config named by the flags."""
    paths = Paths.from_env()
    config = Path(args.config) if getattr(args, "config", None) else None
    return paths, load_settings(paths, config)
