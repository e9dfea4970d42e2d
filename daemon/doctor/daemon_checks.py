"""The config, the running daemon, where it listens, its outbound guard and the API token."""

from __future__ import annotations

import os

import psutil

from daemon.doctor.check import Check, failed, info, passed, warn
from daemon.doctor.context import Context
from daemon.doctor.sockets import listening_endpoints

START_FIX = "start it with `sottovoce serve`"


def config_file(ctx: Context) -> Check:
    """The config file parses and validates."""
    if ctx.config_error is not None:
        # The remaining checks then describe the defaults, not the user's file.
        detail = ctx.config_error.replace("\n", "; ")
        return failed("config", detail, f"edit {ctx.config_file}")
    if not ctx.config_file.exists():
        return passed("config", f"no config file at {ctx.config_file}: defaults apply")
    return passed("config", f"read {ctx.config_file}")


def daemon_running(ctx: Context) -> Check:
    """This user's daemon is running and answers GET /v1/health."""
    state = ctx.daemon
    if state.health is None or state.runtime is None:
        return failed("daemon", state.problem or "not running", START_FIX)
    version = state.health.get("version", "?")
    where = state.runtime.unix_socket or state.runtime.base_url
    return passed("daemon", f"running: version {version}, pid {state.runtime.pid}, at {where}")


def identity(ctx: Context) -> Check:
    """What answers where this user's clients connect is this user's daemon, or nothing does."""
    state = ctx.daemon
    if state.impostor is not None:
        return failed(
            "identity",
            state.impostor,
            "stop that program, or serve Sottovoce elsewhere (--port, or unix_socket in config); "
            "until then Sottovoce's own clients send it nothing",
        )
    if state.running:
        return passed("identity", f"the daemon at {state.where} proved that it holds your token")
    return info("identity", f"nothing answers at {state.where}")


def listening(ctx: Context) -> Check:
    """Every socket the daemon process listens on is loopback or a Unix socket."""
    runtime = ctx.daemon.runtime
    if runtime is None or not ctx.daemon.running:
        return info("listening", "the daemon is not running: nothing of it listens")
    return inspect_listening(runtime.pid, None if runtime.unix_socket else runtime.port)


def inspect_listening(pid: int, expected_port: int | None) -> Check:
    """Judge the sockets `pid` has bound; `expected_port` is the API port it should hold."""
    try:
        endpoints = listening_endpoints(pid)
    except psutil.AccessDenied:
        return warn(
            "listening",
            f"the sockets of pid {pid} cannot be inspected (access denied)",
            "run `sottovoce doctor` as the user who runs the daemon",
        )
    except psutil.Error:
        return failed("listening", f"pid {pid} is gone", START_FIX)
    shown = ", ".join(str(endpoint) for endpoint in endpoints) or "nothing"
    exposed = [str(endpoint) for endpoint in endpoints if not endpoint.local_only]
    if exposed:
        return failed(
            "listening",
            f"reachable from other machines: {', '.join(exposed)} (all: {shown})",
            "stop the daemon and serve on 127.0.0.1 or ::1 only; "
            "then find what in the daemon opened these sockets",
        )
    ports = {endpoint.port for endpoint in endpoints if endpoint.kind == "tcp"}
    if expected_port is not None and expected_port not in ports:
        return warn(
            "listening",
            f"pid {pid} does not hold the API port {expected_port} named in the runtime file "
            f"(it listens on: {shown}); another program may answer there",
            "restart the daemon with `sottovoce serve`",
        )
    return passed("listening", f"loopback only: {shown}")


def outbound_guard(ctx: Context) -> Check:
    """The daemon's audit hook refuses connections beyond loopback."""
    health = ctx.daemon.health
    if health is None:
        return info("outbound_guard", "unknown: the daemon is not running")
    if health.get("outbound_guard") is True:
        return passed(
            "outbound_guard",
            "active: the daemon refuses every connection and name lookup beyond loopback; "
            "model hubs are offline",
        )
    return failed(
        "outbound_guard",
        "inactive: nothing stops the daemon's libraries from reaching the network",
        "start the daemon with `sottovoce serve`, which installs the guard first",
    )


def token_file(ctx: Context) -> Check:
    """The API token file exists and only its owner can read it."""
    path = ctx.paths.token_file
    if not path.exists():
        return info("token", f"no API token yet: {path} is created at the daemon's first start")
    if os.name != "posix":
        return info("token", f"{path} (file permissions are not checked on this system)")
    status = path.stat()
    mode = status.st_mode & 0o777
    if mode & 0o077:
        return failed(
            "token",
            f"{path} can be read by other users (mode {mode:o})",
            f"chmod 600 {path}",
        )
    if status.st_uid != os.getuid():
        return failed(
            "token", f"{path} belongs to another user", "chown it to the user who runs Sottovoce"
        )
    return passed("token", f"{path}, mode {mode:o}")
