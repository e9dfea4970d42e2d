"""The `sottovoce` command line: one settings object built here and passed in."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from daemon import __version__
from daemon.errors import SottovoceError
from daemon.guard import install_outbound_guard
from daemon.paths import HOME_ENV

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand, each registered by its own module."""
    from daemon.cli import agent, autostart, basic, bench, client_commands, doctor, history, models

    parser = argparse.ArgumentParser(
        prog="sottovoce", description="Private local dictation and rewriting."
    )
    parser.add_argument("--version", action="version", version=f"sottovoce {__version__}")
    parser.add_argument("--config", help="config file (default: the user config dir)")
    parser.add_argument("--home", help="keep every file under this folder (same as SOTTOVOCE_HOME)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (basic, models, history, client_commands, agent, autostart, doctor, bench):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sottovoce` console command."""
    # Before anything imports a hub library: the process stays offline.
    install_outbound_guard()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.home:
        # Before any Paths is built: a Windows Run key cannot set environment variables.
        os.environ[HOME_ENV] = args.home
    handler: Command = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints a traceback
        return code
    except BrokenPipeError:
        # `sottovoce history list | head`: the reader has all it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except SottovoceError as error:
        print(f"sottovoce: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
