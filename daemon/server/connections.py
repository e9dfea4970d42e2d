"""Connection hygiene: a cap that keeps the token holder served, and a body deadline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from daemon.server.errors import error_body

log = logging.getLogger(__name__)


class BodyTimeoutError(Exception):
    """The client did not send its whole request body in time."""


class ConnectionGuard:
    """Which connections have shown the token, and how many may be open at once."""

    def __init__(self, max_connections: int) -> None:
        self.max_connections = max_connections
        # RequestHandler takes no weak references: the server forgets closed ones.
        self._proven: set[RequestHandler] = set()

    def prove(self, connection: object) -> None:
        """This connection carried a valid token: it is the last to be closed."""
        if isinstance(connection, RequestHandler):
            self._proven.add(connection)

    def forget(self, connection: RequestHandler) -> None:
        """The connection closed."""
        self._proven.discard(connection)

    def victim(
        self, connections: list[RequestHandler], newcomer: RequestHandler
    ) -> RequestHandler | None:
        """The connection to close when one too many is open, or None when under the cap."""
        open_ones = [c for c in connections if c.transport is not None]
        if len(open_ones) <= self.max_connections:
            return None
        # Oldest first: a local program holding sockets open loses its own old ones,
        # while a client with the token (or one that just arrived to show it) stays.
        for connection in open_ones:
            if connection is not newcomer and connection not in self._proven:
                return connection
        return newcomer


class ShapedErrors(RequestHandler):
    """A connection whose HTTP-level errors (a malformed request line, oversized headers,
    broken chunks) answer in OpenAI's error shape, without quoting the request back."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        # aiohttp's own handling logs (filtered in daemon.logfilters) and refuses when
        # a response is already under way; its plain-text page quotes the request.
        super().handle_error(request, status, exc, message)
        if status >= 500:
            text = "internal error; see the daemon log"
        else:
            kind = f" ({type(exc).__name__})" if exc is not None else ""
            text = f"the request is not valid HTTP{kind}"
        response = web.json_response(
            error_body(status, text, None, "invalid_http" if status < 500 else None),
            status=status,
        )
        response.force_close()
        return response


class GuardedServer(web.Server):
    """aiohttp's server, closing a connection whenever one too many is open."""

    def __init__(
        self,
        guard: ConnectionGuard,
        handler: Any,
        *,
        loop: asyncio.AbstractEventLoop,
        request_factory: Any,
        **options: Any,
    ) -> None:
        super().__init__(handler, request_factory=request_factory, loop=loop, **options)
        self._guard = guard
        self._handler_loop = loop
        self._options = {k: v for k, v in options.items() if k != "handler_cancellation"}

    def __call__(self) -> RequestHandler:
        return ShapedErrors(self, loop=self._handler_loop, **self._options)

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        victim = self._guard.victim(self.connections, handler)
        if victim is not None:
            log.warning(
                "more than %d connections open: closed one that had not shown the token",
                self._guard.max_connections,
            )
            victim.force_close()

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self._guard.forget(handler)


class GuardedRunner(web.AppRunner):
    """An AppRunner whose server is a GuardedServer."""

    def __init__(
        self,
        app: web.Application,
        guard: ConnectionGuard,
        server_options: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(app, **kwargs, **server_options)
        self._guard = guard
        self._server_options = server_options

    async def _make_server(self) -> web.Server:
        # The base class runs the application's startup and builds its server;
        # ours takes over its request handling, with the same options.
        plain = await super()._make_server()
        return GuardedServer(
            self._guard,
            plain.request_handler,
            request_factory=plain.request_factory,
            loop=asyncio.get_running_loop(),
            **self._server_options,
        )


@contextlib.contextmanager
def watch_body(request: web.Request, timeout: float) -> Iterator[None]:
    """Fail the handler's body reads when the body has not fully arrived within `timeout`."""
    content = request.content
    if not request.body_exists or content.is_eof():
        yield
        return

    def expire() -> None:
        if not content.is_eof():
            content.set_exception(
                BodyTimeoutError(f"the request body did not arrive within {timeout:g} s")
            )

    handle = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        yield
    finally:
        handle.cancel()
