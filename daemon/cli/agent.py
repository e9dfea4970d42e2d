"""`sottovoce agent`: hotkeys and tray as a client of an already running daemon."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any

from daemon.cli.common import paths_and_settings
from daemon.client import DaemonAddress, locate_daemon
from daemon.desktop import AgentStarter, hotkeys_possible, load_desktop
from daemon.errors import SottovoceError
from daemon.logs import configure_logging


def register(commands: Any) -> None:
    """Add the subcommand of this module."""
    agent = commands.add_parser(
        "agent", help="run hotkeys and tray against a running daemon (autostart uses this)"
    )
    agent.set_defaults(handler=_agent)


def _agent(args: argparse.Namespace) -> int:
    paths, settings = paths_and_settings(args)
    configure_logging(paths, verbose=args.verbose, to_file=False)
    if not hotkeys_possible():
        raise SottovoceError("no display: the hotkey agent needs a graphical session (X11)")
    # The agent is the `sottovoce.desktop` plugin, found here at the entry point:
    # the daemon package never imports it.
    desktop = load_desktop()
    if desktop is None:
        raise SottovoceError(
            "the desktop agent is not installed; reinstall Sottovoce (installers/install.sh)"
        )

    def address() -> DaemonAddress:
        return locate_daemon(paths, settings)

    async def run_agent(stop: asyncio.Event, start: AgentStarter) -> None:
        task = start(address)
        waiter = asyncio.ensure_future(stop.wait())
        # Ends on quit or a signal (stop), or when the agent itself ends.
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    desktop.run(settings, run_agent)
    return 0
