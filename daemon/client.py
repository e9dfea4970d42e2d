"""A client of the local API, for the CLI and the desktop agent (one path for every consumer)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from daemon.auth import read_token
from daemon.config import Settings
from daemon.connector import (
    IdentityGate,
    UnverifiedConnection,
    VerifyingTCPConnector,
    VerifyingUnixConnector,
    gate_of,
)
from daemon.errors import SottovoceError
from daemon.identity import IDENTITY_PATH, new_nonce
from daemon.paths import Paths
from daemon.runtime import RuntimeInfo, read_runtime


class DaemonUnavailableError(SottovoceError):
    """The daemon is not running or does not answer."""


class ApiRequestError(SottovoceError):
    """The daemon answered with an error."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ImpostorError(DaemonUnavailableError):
    """Something answers at the daemon's address but cannot prove it is this user's daemon."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem  # what is wrong with the answer, in a few words


IDENTITY_TIMEOUT_S = 10.0
#: New connections a request may need before the pool is deemed to misbehave.
PROOF_ATTEMPTS = 3

T = TypeVar("T")


@dataclass(frozen=True)
class DaemonAddress:
    """Where the daemon listens and the token to use."""

    base_url: str
    token: str
    unix_socket: str = ""  # when set, requests go through this socket to base_url's host

    @classmethod
    def of(cls, runtime: RuntimeInfo, token: str) -> DaemonAddress:
        """The address a runtime record names."""
        return cls(runtime.base_url, token, runtime.unix_socket)

    @property
    def where(self) -> str:
        """For messages: the socket path or the URL."""
        return self.unix_socket or self.base_url

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def session(self, timeout: aiohttp.ClientTimeout | None = None) -> aiohttp.ClientSession:
        """An HTTP session that reaches the daemon over TCP or its Unix socket.

        Its connections carry the token or any text only after the daemon proved,
        on each of them, that it holds the token (see daemon.connector).
        """
        connector: aiohttp.BaseConnector = (
            VerifyingUnixConnector(self.unix_socket)
            if self.unix_socket
            else VerifyingTCPConnector()
        )
        if timeout is None:
            return aiohttp.ClientSession(connector=connector)
        return aiohttp.ClientSession(connector=connector, timeout=timeout)

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1)


def locate_daemon(paths: Paths, settings: Settings) -> DaemonAddress:
    """The running daemon's address (runtime file, else config) and token."""
    # No runtime file: where the config says a daemon would listen.
    runtime = read_runtime(paths.runtime_file) or RuntimeInfo(
        0, settings.server.address, settings.server.port, "", settings.server.unix_socket
    )
    return DaemonAddress.of(runtime, read_token(paths.token_file))


def _unavailable(address: DaemonAddress) -> DaemonUnavailableError:
    return DaemonUnavailableError(
        f"the Sottovoce daemon does not answer at {address.where}; start it with `sottovoce serve`"
    )


WHO_HOLDS_IT = "`sottovoce doctor` names who holds it"


def _impostor(address: DaemonAddress, problem: str, hint: str = WHO_HOLDS_IT) -> ImpostorError:
    return ImpostorError(
        f"refusing to talk to {address.where}: the program listening there is not your "
        f"Sottovoce daemon ({problem}); nothing was sent to it; {hint}",
        problem,
    )


def _gate(session: aiohttp.ClientSession) -> IdentityGate:
    gate = gate_of(session)
    if gate is None:
        # A plain session would send the token to whatever answers.
        raise TypeError("talk to the daemon through a session from DaemonAddress.session()")
    return gate


async def verify_daemon(session: aiohttp.ClientSession, address: DaemonAddress) -> None:
    """Have the daemon prove it holds the token, on a connection the next request can reuse.

    Raises ImpostorError when what answers cannot, DaemonUnavailableError when nothing does.
    """
    gate = _gate(session)
    nonce = new_nonce()
    try:
        status, answer = await _ask_identity(session, address, nonce)
        if status != 200 or not isinstance(answer, dict):
            raise _impostor(
                address,
                f"it gives no identity proof: HTTP {status}",
                "a Sottovoce older than this client must be restarted; otherwise " + WHO_HOLDS_IT,
            )
        problem = gate.judge(nonce, answer, address.token)
    finally:
        gate.forget(nonce)  # a question without a judged answer
    if problem is not None:
        raise _impostor(address, problem)


async def _ask_identity(
    session: aiohttp.ClientSession, address: DaemonAddress, nonce: bytes
) -> tuple[int, object]:
    """GET /v1/identity with nothing but the nonce: no token, no text."""
    try:
        async with session.get(
            address.base_url + IDENTITY_PATH,
            params={"nonce": nonce.hex()},
            timeout=aiohttp.ClientTimeout(total=IDENTITY_TIMEOUT_S),
            allow_redirects=False,  # the proof must come from the address that was asked
        ) as response:
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        raise _unavailable(address) from None


async def _verified(
    session: aiohttp.ClientSession, address: DaemonAddress, send: Callable[[], Awaitable[T]]
) -> T:
    """`send()`, first proving the daemon on each new connection it would use."""
    _gate(session)
    for _ in range(PROOF_ATTEMPTS):
        try:
            return await send()
        except UnverifiedConnection:
            await verify_daemon(session, address)
    raise _impostor(address, "it keeps dropping the connections on which it proved itself")


async def request_json(
    session: aiohttp.ClientSession,
    address: DaemonAddress,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 300.0,
) -> dict[str, Any]:
    """Call the API; every failure becomes ApiRequestError or DaemonUnavailableError.

    Nothing is sent before the daemon proved itself (ImpostorError otherwise).
    """
    return await _verified(
        session,
        address,
        lambda: _request_json(session, address, method, path, body, headers, timeout),
    )


async def _request_json(
    session: aiohttp.ClientSession,
    address: DaemonAddress,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str] | None,
    timeout: float,
) -> dict[str, Any]:
    try:
        async with session.request(
            method,
            address.base_url + path,
            json=body,
            headers={**address.headers, **(headers or {})},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            try:
                data = await response.json(content_type=None)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ApiRequestError(response.status, f"{address.where} is not a Sottovoce daemon")
            if response.status >= 400:
                error = data.get("error")
                message = error.get("message") if isinstance(error, dict) else response.reason
                raise ApiRequestError(response.status, f"the daemon refused: {message}")
            return data
    except (aiohttp.ClientError, asyncio.TimeoutError):
        raise _unavailable(address) from None


PartialHandler = Callable[[str], Awaitable[None]]
#: A result's `history` value when the daemon could not store it (e.g. a full disk).
NOT_RECORDED = "not_recorded"
NOT_RECORDED_NOTICE = (
    "Not saved in the history",
    "The daemon could not store this result; `sottovoce doctor` says why.",
)


async def dictate(
    session: aiohttp.ClientSession,
    address: DaemonAddress,
    audio: AsyncIterator[bytes],
    start: dict[str, Any],
    on_partial: PartialHandler | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_history: Callable[[str], None] | None = None,
) -> str | None:
    """Stream PCM16 chunks to /v1/dictation, then stop; the final text (None if cancelled).
    `on_history` learns whether the daemon stored the text ("recorded", "not_recorded"...)."""
    try:
        ws = await _verified(
            session,
            address,
            lambda: session.ws_connect(address.ws_url + "/v1/dictation", headers=address.headers),
        )
    except aiohttp.WSServerHandshakeError as error:
        raise ApiRequestError(
            error.status, f"the daemon refused the dictation ({error.status})"
        ) from None
    except aiohttp.ClientConnectionError:
        raise DaemonUnavailableError(
            f"the Sottovoce daemon does not answer at {address.where}"
        ) from None
    async with ws:
        await ws.send_json({"type": "start", **start})
        await _expect(ws, "ready", on_partial)
        # Partials arrive while audio is still being sent.
        receiver = asyncio.create_task(_expect(ws, "final", on_partial))
        try:
            try:
                async for chunk in audio:
                    if receiver.done():
                        break  # an error from the daemon: raised below
                    await ws.send_bytes(chunk)
            except ConnectionError:
                # The daemon closed the socket: its error message is with the receiver.
                await asyncio.wait({receiver}, timeout=5)
                if not receiver.done():
                    raise DaemonUnavailableError("the daemon closed the dictation") from None
            if cancelled is not None and cancelled() and not receiver.done():
                await ws.send_json({"type": "cancel"})
                return None
            if not receiver.done():
                await ws.send_json({"type": "stop"})
            final = await receiver
        finally:
            receiver.cancel()
        if on_history is not None and isinstance(final.get("history"), str):
            on_history(final["history"])
        return str(final["text"])


async def _expect(
    ws: aiohttp.ClientWebSocketResponse, wanted: str, on_partial: PartialHandler | None
) -> dict[str, Any]:
    async for message in ws:
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        event: dict[str, Any] = json.loads(message.data)
        if event["type"] == wanted:
            return event
        if event["type"] == "error":
            raise ApiRequestError(400, f"dictation failed: {event['message']}")
        if event["type"] == "partial" and on_partial is not None:
            await on_partial(str(event["text"]))
    raise DaemonUnavailableError("the daemon closed the dictation before answering")
