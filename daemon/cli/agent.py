"""`sottovoce agent`: hotkeys and tray as a client of an already running daemon."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

from daemon.cli.common import paths_and_settings
from daemon.client import DaemonAddress, locate_daemon
from daemon.desktop import hotkeys_possible
from daemon.errors import SottovoceError
from daemon.logs import configure_logging


def register(commands: Any) -> None:
    """Add the subcommand of this module."""
    agent = commands.add_parser(
        "agent", help="run hotkeys and tray against a running daemon (autostart uses this)"
    )
    agent.set_defaults(handler=_agent)


def _agent(args: argparse.Namespace) -> int:
    from daemon.tray import tray_available
    from hotkeys.agent import Agent
    from hotkeys.ui import LogUI

    paths, settings = paths_and_settings(args)
    configure_logging(paths, verbose=args.verbose, to_file=False)
    if not hotkeys_possible():
        raise SottovoceError("no display: the hotkey agent needs a graphical session (X11)")

    def address() -> DaemonAddress:
        return locate_daemon(paths, settings)

    if tray_available():
        from hotkeys.session import DesktopSession

        session = DesktopSession(settings)

        async def with_tray(stop: asyncio.Event) -> None:
            task = session.start_agent(address)
            stopping = asyncio.ensure_future(stop.wait())
            # An agent that cannot run (another one serves this display) ends the command.
            await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        session.run(with_tray)
        return 0

    agent = Agent(settings, address, LogUI())

    async def run() -> None:
        task = asyncio.create_task(agent.async_run())
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run())
    return 0
