"""`serve`, `token` and `config path`."""

from __future__ import annotations

import argparse
import os
from typing import Any

from daemon.auth import read_token
from daemon.cli.common import paths_and_settings
from daemon.logs import configure_logging
from daemon.paths import Paths


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    serve = commands.add_parser("serve", help="run the daemon (API, hotkeys and tray)")
    serve.add_argument("--host", help="loopback address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8765; 0 = any free)")
    serve.set_defaults(handler=_serve)

    token = commands.add_parser("token", help="print the API token")
    token.set_defaults(handler=_token)

    config = commands.add_parser("config", help="configuration file")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    path = config_commands.add_parser("path", help="print where the config file is")
    path.set_defaults(handler=_config_path)


def _serve(args: argparse.Namespace) -> int:
    from daemon.serve import serve

    # Before the first file: logs, daemon.json, the lock and models.toml are the user's
    # only, however the daemon was started (a shell's umask is often 022).
    os.umask(0o077)
    paths, settings = paths_and_settings(args)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        settings = settings.with_overrides("server", **overrides)
    configure_logging(paths, verbose=args.verbose)
    serve(settings, paths)
    return 0


def _token(args: argparse.Namespace) -> int:
    print(read_token(Paths.from_env().token_file))
    return 0


def _config_path(args: argparse.Namespace) -> int:
    print(Paths.from_env().config_file)
    return 0
