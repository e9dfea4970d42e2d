"""Clinic mode, said first: where text and audio go, with which pin, and whether the
server there still presents it (a handshake only; nothing is sent)."""

from __future__ import annotations

from daemon.doctor.check import Check, failed, info, passed, warn
from daemon.doctor.context import Context
from daemon.errors import SottovoceError
from daemon.upstream.audit import UpstreamRecord
from daemon.upstream.errors import PinMismatchError
from daemon.upstream.settings import UpstreamEngineSettings
from daemon.upstream.setup import connect_upstream


def _no_record(record: UpstreamRecord) -> None:
    """The doctor sends no request: there is nothing to audit."""


def upstream(ctx: Context) -> Check:
    """Whether text leaves this machine for the practice's server, and to which one."""
    settings = ctx.settings.upstream.llm
    if settings is None:
        if ctx.settings.upstream.speech is not None:
            return info("upstream", "text (rewrites, chat) is processed on this machine only")
        return info(
            "upstream",
            "clinic mode is off: text and audio are processed on this machine only",
        )
    return _server_check("upstream", "llm", settings, "text (rewrites, chat)")


def upstream_speech(ctx: Context) -> Check:
    """Whether audio leaves this machine for the practice's server, and to which one."""
    settings = ctx.settings.upstream.speech
    if settings is None:
        return info("upstream_speech", "audio (transcriptions, dictation) stays on this machine")
    return _server_check("upstream_speech", "speech", settings, "audio (transcriptions, dictation)")


def _server_check(name: str, engine: str, settings: UpstreamEngineSettings, what: str) -> Check:
    fallback = "the local model answers" if settings.fallback == "local" else "an error"
    where = (
        f"{what} goes to the practice's server {settings.url} "
        f"(model {settings.model}), pin {settings.pin or 'none (loopback, plain http)'}; "
        f"when it is unreachable: {fallback}"
    )
    try:
        client = connect_upstream(engine, settings, _no_record)
        client.check_pin()
    except PinMismatchError as error:
        return failed(
            name,
            f"{where}. PIN MISMATCH: {error}",
            "find out why the server's key changed before trusting it; only then put its "
            f"new pin in config (upstream.{engine}.pin)",
        )
    except SottovoceError as error:
        fix = "start the server, check the URL and the network"
        if settings.fallback == "local":
            # Still private: the embedded model answers, and says so.
            return warn(name, f"{where}. The server cannot be reached: {error}", fix)
        return failed(
            name,
            f"{where}. The server cannot be reached: {error}",
            f'{fix}, or set upstream.{engine}.fallback = "local"',
        )
    return passed(name, f"{where}. The server presents the pinned key")
