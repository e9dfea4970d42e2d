"""Logging setup, done only by the entry point."""

from __future__ import annotations

import logging
import logging.handlers
import os
import warnings

from aiohttp.multipart import BadContentDispositionHeader, BadContentDispositionParam

from daemon.logfilters import RateLimit, ScrubRequestContent
from daemon.paths import Paths

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(paths: Paths, verbose: bool = False, to_file: bool = True) -> None:
    """Log to stderr and, for the daemon, to a rotating file only the user can read."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # On the root logger's handlers: a filter there sees every record, from any logger.
    scrub, limit = ScrubRequestContent(), RateLimit()
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(console)
    if to_file:
        paths.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=2 << 20, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        os.chmod(paths.log_file, 0o600)
    for each in root.handlers:
        each.addFilter(scrub)
        each.addFilter(limit)
    # aiohttp warns with the text of a client's malformed form header; other
    # warnings go to the log (filtered like any record) instead of bare stderr.
    for category in (BadContentDispositionHeader, BadContentDispositionParam):
        warnings.filterwarnings("ignore", category=category)
    logging.captureWarnings(True)
    # aiohttp's access log would record paths with search queries (?q=...).
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    quiet_noisy_loggers()


def quiet_noisy_loggers() -> None:
    """Libraries that log every request at INFO log only warnings."""
    for noisy in ("faster_whisper", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
