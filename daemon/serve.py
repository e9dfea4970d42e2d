"""`sottovoce serve`: run the API until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from daemon import __version__
from daemon.auth import load_or_create_token
from daemon.client import DaemonAddress
from daemon.config import ServerSettings, Settings
from daemon.desktop import AgentStarter, hotkeys_possible, load_desktop
from daemon.errors import SottovoceError
from daemon.paths import Paths
from daemon.runtime import InstanceLock, RuntimeInfo, write_runtime
from daemon.server.app import make_app
from daemon.server.connections import GuardedRunner
from daemon.server.keys import GUARD

log = logging.getLogger(__name__)


class ServeError(SottovoceError):
    """The server could not start."""


async def async_serve(
    settings: Settings,
    paths: Paths,
    stop: asyncio.Event | None = None,
    start_agent: AgentStarter | None = None,
) -> None:
    """Serve until `stop` is set or a termination signal arrives; with `start_agent`, hotkeys too."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows, or not the main thread: the caller stops us instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    token = load_or_create_token(paths.token_file)
    app = make_app(settings, paths, token)
    runner = GuardedRunner(
        app,
        app[GUARD],
        {
            "access_log": None,
            # A client that leaves cancels its handler, which stops the model's
            # work for it (see ModelPool.async_run) instead of finishing it.
            "handler_cancellation": True,
            # aiohttp starts this timer when a connection opens, so it also closes
            # one that never finishes sending its headers (slowloris).
            "keepalive_timeout": settings.server.idle_timeout_seconds,
        },
        handle_signals=False,
        shutdown_timeout=5,
    )
    socket_file: Path | None = None
    try:
        # Inside the try: a failing start-up still closes what it had opened.
        await runner.setup()
        socket_file = await _listen(runner, settings.server)
        port = _bound_port(runner)
        socket_path = str(socket_file or "")
        host = settings.server.address
        info = RuntimeInfo(os.getpid(), host, port, __version__, socket_path)
        write_runtime(paths.runtime_file, info)
        log.info("Sottovoce %s listening on %s", __version__, socket_path or info.base_url)
        agent = _start_agent(settings, DaemonAddress.of(info, token), start_agent)
        await stop.wait()
        log.info("shutting down")
        if agent is not None:
            agent.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await agent
    finally:
        paths.runtime_file.unlink(missing_ok=True)
        await runner.cleanup()
        if socket_file is not None:
            socket_file.unlink(missing_ok=True)


async def _listen(runner: web.AppRunner, server: ServerSettings) -> Path | None:
    """Listen on TCP, or on the Unix socket when configured (returned: ours to remove)."""
    site: web.BaseSite
    if server.unix_socket:
        _prepare_socket_folder(Path(server.unix_socket).parent)
        site = web.UnixSite(runner, server.unix_socket)
        where, fix = server.unix_socket, "choose another unix_socket in config"
    else:
        site = web.TCPSite(runner, server.address, server.port)
        where, fix = f"{server.host}:{server.port}", "choose another port with --port or in config"
    try:
        await site.start()
    except OSError as error:
        raise ServeError(f"cannot listen on {where}: {error.strerror or error}; {fix}") from None
    if not server.unix_socket:
        return None
    os.chmod(server.unix_socket, 0o600)  # the folder already keeps others out
    return Path(server.unix_socket)


def _prepare_socket_folder(folder: Path) -> None:
    """The Unix socket's folder: created 0700, and refused when others may enter it."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = folder.stat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise ServeError(
            f"the socket folder {folder} must belong to you and be closed to other users "
            f"(chmod 700 {folder}), or choose another unix_socket in config"
        )


def _start_agent(
    settings: Settings, address: DaemonAddress, starter: AgentStarter | None
) -> asyncio.Task[None] | None:
    """Run the desktop agent beside the server when a display exists."""
    if not settings.hotkeys.enabled:
        log.info("hotkeys are turned off in the config (hotkeys.enabled)")
        return None
    if not hotkeys_possible():
        log.info("no display: hotkeys are off; serving the API only")
        return None
    if starter is None:
        log.info("no desktop agent is installed: hotkeys are off; serving the API only")
        return None
    try:
        agent = starter(lambda: address)
    except SottovoceError as error:
        log.error("hotkeys are off: %s", error)
        return None
    return asyncio.create_task(_guarded(agent), name="desktop-agent-guard")


async def _guarded(agent: asyncio.Task[None]) -> None:
    # The API keeps serving whatever happens to the desktop side.
    try:
        await agent
    except asyncio.CancelledError:
        agent.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await agent  # let the agent release its grabs, microphone and clipboard
        raise
    except SottovoceError as error:  # a known refusal (a second agent): its words, no traceback
        log.warning("the desktop agent stopped: %s; the API keeps serving", error)
    except Exception as error:
        log.exception("the desktop agent stopped: %s; the API keeps serving", type(error).__name__)


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    return 0


def serve(settings: Settings, paths: Paths) -> None:
    """Take the single-instance lock and serve (blocking); with a display, the desktop agent too.

    The agent (hotkeys, tray) is the `sottovoce.desktop` plugin: found here,
    at the entry point, and handed the server to run beside it.
    """
    paths.ensure()
    # The event loop and the engine threads hand the GIL back and forth on every
    # token: a shorter switch interval keeps the loop from waiting on them.
    sys.setswitchinterval(0.001)
    lock = InstanceLock(paths.lock_file)
    lock.acquire(paths.runtime_file)
    try:
        desktop = load_desktop() if settings.hotkeys.enabled and hotkeys_possible() else None
        if desktop is None:
            asyncio.run(async_serve(settings, paths))
        else:
            desktop.run(settings, lambda stop, start: async_serve(settings, paths, stop, start))
    finally:
        lock.release()
