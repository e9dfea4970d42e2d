"""Everything the checks look at, gathered once: paths, settings, the running daemon, the desktop."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from daemon.config import Settings, load_settings
from daemon.desktop import DesktopProbe, load_desktop
from daemon.doctor.daemon_state import DaemonState
from daemon.doctor.probe import probe_daemon
from daemon.errors import ConfigError
from daemon.paths import Paths

__all__ = ["Context", "DaemonState", "gather"]


@dataclass(frozen=True)
class Context:
    """The inputs of every check."""

    paths: Paths
    settings: Settings
    config_file: Path
    #: Why the config could not be used (the checks then see the defaults).
    config_error: str | None
    daemon: DaemonState
    environ: Mapping[str, str]
    platform: str
    #: The desktop agent's platform code; None when no agent is installed.
    desktop: DesktopProbe | None = None


def gather(
    paths: Paths,
    config_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Context:
    """Read the config, ask the daemon for its health and find the desktop agent."""
    config_error = None
    try:
        settings = load_settings(paths, config_file)
    except ConfigError as error:
        settings, config_error = Settings(), str(error)
    desktop = load_desktop()
    return Context(
        paths=paths,
        settings=settings,
        config_file=config_file or paths.config_file,
        config_error=config_error,
        daemon=probe_daemon(paths, settings),
        environ=dict(os.environ if environ is None else environ),
        platform=sys.platform if platform is None else platform,
        desktop=desktop.probe if desktop is not None else None,
    )
