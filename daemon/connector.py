"""Connections to the daemon that carry nothing until the daemon proved who it is, on them.

aiohttp pools connections and opens a new one whenever the pool has none: after
the daemon stopped, the next connection may reach whatever program listens on
the port by then. So the proof is kept per connection: a request gets a
connection only once an identity answer came back over that very connection.
Any other request on a new connection is stopped before its first byte is
written (UnverifiedConnection); the caller then asks for a proof and retries.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import hdrs

from daemon.identity import IDENTITY_PATH, endpoint_label, parse_nonce, proof_matches

if TYPE_CHECKING:
    from aiohttp.client_proto import ResponseHandler
    from aiohttp.client_reqrep import ClientRequest
    from aiohttp.connector import Connection
    from aiohttp.tracing import Trace


class UnverifiedConnection(Exception):
    """A request would have gone out on a connection where the daemon has not proved itself."""


class IdentityGate:
    """Which connections of one connector answered an identity question correctly."""

    def __init__(self) -> None:
        self._verified: weakref.WeakSet[ResponseHandler] = weakref.WeakSet()
        # nonce -> (the connection that carries the question, its peer address)
        self._questions: dict[bytes, tuple[ResponseHandler, str]] = {}

    def admit(self, request: ClientRequest, connection: Connection) -> None:
        """Let `request` use `connection`, or close it and raise UnverifiedConnection."""
        protocol = connection.protocol
        nonce = _question_nonce(request)
        if nonce is not None and protocol is not None:
            # The peer's address as this side sees it: a relay cannot fake it.
            peer = protocol.transport.get_extra_info("peername") if protocol.transport else None
            try:
                endpoint = endpoint_label(peer)
            except ValueError:
                endpoint = ""  # no proof can match: the connection stays unverified
            self._questions[nonce] = (protocol, endpoint)
            return
        if protocol is not None and protocol in self._verified:
            return
        connection.close()
        raise UnverifiedConnection

    def judge(self, nonce: bytes, answer: Mapping[str, object], token: str) -> str | None:
        """Verify the connection that carried `nonce` when `answer` proves the token.

        Returns None when it does, else what is wrong, in words.
        """
        protocol, endpoint = self._questions.pop(nonce, (None, ""))
        if protocol is None:
            return "the identity question went out on no connection that is known"
        proof = answer.get("proof")
        if proof_matches(token, nonce, endpoint, proof):
            self._verified.add(protocol)
            return None
        self._verified.discard(protocol)  # however it answered before
        claimed = answer.get("endpoint")
        if isinstance(claimed, str) and proof_matches(token, nonce, claimed, proof):
            # A true proof made for another address: the real daemon answered through it.
            return f"it passes on the answers of your daemon at {claimed.removeprefix('unix:')}"
        return "it could not prove that it holds your API token"

    def forget(self, nonce: bytes) -> None:
        """Drop a question that got no answer."""
        self._questions.pop(nonce, None)


def _question_nonce(request: ClientRequest) -> bytes | None:
    """The nonce of an identity question, which must carry nothing but the nonce."""
    if request.method != hdrs.METH_GET or request.url.path != IDENTITY_PATH:
        return None
    if hdrs.AUTHORIZATION in request.headers:
        return None
    return parse_nonce(request.url.query.get("nonce", ""))


class _GatedConnector(aiohttp.BaseConnector):
    """Hands every new connection to the gate, which lets only identity questions through
    until the daemon proved itself on it."""

    gate: IdentityGate

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        self.gate.admit(req, connection)
        return connection


class VerifyingTCPConnector(_GatedConnector, aiohttp.TCPConnector):
    """A TCPConnector whose connections carry only identity questions until verified."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = IdentityGate()


class VerifyingUnixConnector(_GatedConnector, aiohttp.UnixConnector):
    """The same for the daemon's Unix socket."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path)
        self.gate = IdentityGate()


def gate_of(session: aiohttp.ClientSession) -> IdentityGate | None:
    """The gate of a session made by DaemonAddress.session(); None for any other session."""
    connector = session.connector
    if isinstance(connector, _GatedConnector):
        return connector.gate
    return None
