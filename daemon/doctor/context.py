"""Everything the checks look at, gathered once: paths, settings, the running daemon."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.config import Settings, load_settings
from daemon.errors import ConfigError
from daemon.paths import Paths
from daemon.runtime import RuntimeInfo


@dataclass(frozen=True)
class DaemonState:
    """What the runtime file, the identity proof and GET /v1/health say about this user's daemon."""

    runtime: RuntimeInfo | None
    health: Mapping[str, Any] | None
    #: Why `health` is missing, in words.
    problem: str | None = None
    #: Who holds the daemon's address without being this user's daemon, in words.
    impostor: str | None = None
    #: Where this user's clients connect: the socket path or the URL.
    where: str = ""

    @property
    def running(self) -> bool:
        """Whether a daemon answered."""
        return self.health is not None


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


def gather(
    paths: Paths,
    config_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Context:
    """Read the config and ask the daemon for its health."""
    from daemon.doctor.probe import probe_daemon

    config_error = None
    try:
        settings = load_settings(paths, config_file)
    except ConfigError as error:
        settings, config_error = Settings(), str(error)
    return Context(
        paths=paths,
        settings=settings,
        config_file=config_file or paths.config_file,
        config_error=config_error,
        daemon=probe_daemon(paths, settings),
        environ=dict(os.environ if environ is None else environ),
        platform=sys.platform if platform is None else platform,
    )
