"""Find this user's daemon through its runtime file and ask GET /v1/health."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import psutil

from daemon.client import DaemonAddress, request_json
from daemon.config import Settings
from daemon.doctor.context import DaemonState
from daemon.errors import SottovoceError
from daemon.paths import Paths
from daemon.runtime import RuntimeInfo, read_runtime

HEALTH_TIMEOUT_S = 5.0


def probe_daemon(paths: Paths, settings: Settings) -> DaemonState:
    """The running daemon's runtime record and health, or why there is none."""
    # Every `sottovoce serve` writes the runtime file: without it this home has
    # no daemon, whatever else may answer on the configured port.
    runtime = read_runtime(paths.runtime_file)
    if runtime is None:
        return DaemonState(None, None, "not running")
    if not psutil.pid_exists(runtime.pid):
        return DaemonState(
            None, None, f"not running (a stale runtime file names pid {runtime.pid})"
        )
    try:
        health = asyncio.run(_fetch_health(runtime, settings.server.unix_socket))
    except SottovoceError as error:
        return DaemonState(runtime, None, str(error))
    return DaemonState(runtime, health)


async def _fetch_health(runtime: RuntimeInfo, unix_socket: str) -> dict[str, Any]:
    connector: aiohttp.BaseConnector | None = None
    base_url = runtime.base_url
    if unix_socket:
        connector = aiohttp.UnixConnector(path=unix_socket)
        base_url = "http://localhost"
    timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)
    # Health needs no token: the doctor works before a token exists.
    address = DaemonAddress(base_url, token="")
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        try:
            return await request_json(session, address, "GET", "/v1/health")
        except TimeoutError:
            raise SottovoceError(
                f"pid {runtime.pid} does not answer at {base_url} within {HEALTH_TIMEOUT_S:g} s"
            ) from None
        except (ValueError, aiohttp.ClientError):
            raise SottovoceError(f"something that is not Sottovoce answers at {base_url}") from None
