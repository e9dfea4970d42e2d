"""Find this user's daemon through its runtime file, have it prove itself, ask GET /v1/health.

Where no daemon of this user runs, the address its clients would use is still
asked for a proof: a program of someone else may be waiting there for them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import psutil

from daemon.client import (
    DaemonAddress,
    DaemonUnavailableError,
    ImpostorError,
    request_json,
    verify_daemon,
)
from daemon.config import Settings
from daemon.doctor.daemon_state import DaemonState
from daemon.doctor.holder import port_holder, socket_holder
from daemon.errors import SottovoceError
from daemon.paths import Paths
from daemon.runtime import RuntimeInfo, read_runtime

HEALTH_TIMEOUT_S = 5.0


def probe_daemon(paths: Paths, settings: Settings) -> DaemonState:
    """The running daemon's runtime record and health, or why there is none."""
    token = _token(paths)
    # Every `sottovoce serve` writes the runtime file: without it this home has
    # no daemon, whatever else may answer on the configured port.
    runtime = read_runtime(paths.runtime_file)
    if runtime is None or not psutil.pid_exists(runtime.pid):
        problem = (
            "not running"
            if runtime is None
            else f"not running (a stale runtime file names pid {runtime.pid})"
        )
        # Clients connect where the runtime file, else the config, says.
        where = runtime or RuntimeInfo(
            0, settings.server.address, settings.server.port, "", settings.server.unix_socket
        )
        return DaemonState(None, None, problem, _impostor_at(where, token), _where(where))
    try:
        health = asyncio.run(_fetch_health(runtime, token))
    except ImpostorError as error:
        impostor = _describe(runtime, error)
        return DaemonState(runtime, None, "not answering: " + impostor, impostor, _where(runtime))
    except SottovoceError as error:
        return DaemonState(runtime, None, str(error), None, _where(runtime))
    return DaemonState(runtime, health, None, None, _where(runtime))


def _token(paths: Paths) -> str:
    try:
        return paths.token_file.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return ""  # then nothing can prove itself: no daemon of this home ever started


def _where(runtime: RuntimeInfo) -> str:
    return runtime.unix_socket or runtime.base_url


def _impostor_at(runtime: RuntimeInfo, token: str) -> str | None:
    """Who holds the address when something there fails the proof; None when nothing does."""
    try:
        asyncio.run(_verify(DaemonAddress.of(runtime, token)))
    except ImpostorError as error:
        return _describe(runtime, error)
    except DaemonUnavailableError:
        return None
    # A daemon of this home proved itself though the runtime file does not name it.
    return None


async def _verify(address: DaemonAddress) -> None:
    async with address.session(aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)) as session:
        await verify_daemon(session, address)


def _describe(runtime: RuntimeInfo, error: ImpostorError) -> str:
    """E.g. "port 8765 is held by a program of user 'mallory' (uid 1001), not by your ..."."""
    if runtime.unix_socket:
        place, holder = f"the socket {runtime.unix_socket}", socket_holder(runtime.unix_socket)
    else:
        place, holder = f"port {runtime.port}", port_holder(runtime.host, runtime.port)
    return f"{place} is held by {holder}, not by your Sottovoce daemon: {error.problem}"


async def _fetch_health(runtime: RuntimeInfo, token: str) -> dict[str, Any]:
    # The daemon proves itself first: even a request without secrets goes to it only.
    address = DaemonAddress.of(runtime, token)
    async with address.session(aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)) as session:
        try:
            return await request_json(session, address, "GET", "/v1/health")
        except TimeoutError:
            raise SottovoceError(
                f"pid {runtime.pid} does not answer at {address.where} "
                f"within {HEALTH_TIMEOUT_S:g} s"
            ) from None
        except (ValueError, aiohttp.ClientError):
            raise SottovoceError(
                f"something that is not Sottovoce answers at {address.where}"
            ) from None
