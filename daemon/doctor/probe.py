"""Find this user's daemon through its runtime file and ask GET /v1/health."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import psutil

from daemon.client import DaemonAddress, request_json
from daemon.doctor.context import DaemonState
from daemon.errors import SottovoceError
from daemon.paths import Paths
from daemon.runtime import RuntimeInfo, read_runtime

HEALTH_TIMEOUT_S = 5.0


def probe_daemon(paths: Paths) -> DaemonState:
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
        health = asyncio.run(_fetch_health(runtime))
    except SottovoceError as error:
        return DaemonState(runtime, None, str(error))
    return DaemonState(runtime, health)


async def _fetch_health(runtime: RuntimeInfo) -> dict[str, Any]:
    # Health needs no token: the doctor works before a token exists.
    address = DaemonAddress.of(runtime, token="")
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
