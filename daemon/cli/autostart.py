"""`sottovoce autostart install|uninstall|status`."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    parser = commands.add_parser("autostart", help="start Sottovoce at login (or stop doing so)")
    sub = parser.add_subparsers(dest="autostart_command", required=True)
    for name, text in (
        ("install", "register Sottovoce to start at login"),
        ("uninstall", "stop starting at login (settings, models and history stay)"),
        ("status", "whether Sottovoce starts at login"),
    ):
        sub.add_parser(name, help=text).set_defaults(handler=_run, action=name)


def _run(args: argparse.Namespace) -> int:
    from daemon import autostart

    if args.action == "status":
        status = autostart.status()
        print(f"autostart: {status.state.value}")
        for note in status.notes:
            print(f"  {note}")
        return 0 if status.installed else 1
    outcome = autostart.install() if args.action == "install" else autostart.uninstall()
    for action in outcome.actions:
        print(action)
    for note in outcome.notes:
        print(f"note: {note}")
    return 0
