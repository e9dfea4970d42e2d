"""The API's security boundary, as middlewares (outermost first)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from daemon.auth import token_matches
from daemon.errors import SottovoceError
from daemon.identity import IDENTITY_PATH
from daemon.loopback import is_loopback
from daemon.server.connections import BodyTimeoutError, watch_body
from daemon.server.errors import ApiError, error_response, from_domain_error
from daemon.server.keys import GUARD, SETTINGS, TOKEN
from daemon.server.requests import is_utf8

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Identity is a proof the daemon gives before any client has shown a token.
PUBLIC_PATHS = frozenset({"/v1/health", IDENTITY_PATH})
ALLOWED_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
CORS_ORIGIN = "sottovoce.cors_origin"


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes an OpenAI-shaped JSON error; nothing escapes as a 500 page."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except SottovoceError as error:
        return error_response(from_domain_error(error))
    except BodyTimeoutError as error:
        return error_response(ApiError(408, str(error), code="request_timeout"))
    except (web.RequestPayloadError, HttpProcessingError):
        # Broken chunked framing or compression; aiohttp's message may quote the body.
        return error_response(
            ApiError(400, "the request body could not be read", code="invalid_body")
        )
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = {
            404: "no such endpoint",
            405: f"method {request.method} is not allowed here",
            413: "the request body is too large",
        }.get(error.status, error.reason)
        return error_response(ApiError(error.status, message, headers=_allow_header(error)))
    except Exception as error:
        # The type only: messages of library errors may carry the user's text.
        log.error("unhandled %s in %s %s", type(error).__name__, request.method, _route(request))
        return error_response(ApiError(500, "internal error; see the daemon log"))


def _route(request: web.Request) -> str:
    """The route's pattern, never the path the client sent (it may carry anything)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"


def _allow_header(error: web.HTTPException) -> dict[str, str]:
    allow = error.headers.get("Allow")
    return {"Allow": allow} if allow else {}


def _split_host(host_header: str) -> tuple[str, str]:
    """("[::1]", "8765") from "[::1]:8765"; the port is "" when the header has none."""
    if host_header.startswith("["):
        name, _, rest = host_header.partition("]")
        return name + "]", rest.removeprefix(":")
    if host_header.count(":") == 1:
        name, _, port = host_header.partition(":")
        return name, port
    return host_header, ""


def _allowed_hosts(request: web.Request) -> frozenset[str]:
    """The loopback names, and the loopback address the config binds (e.g. 127.0.0.2)."""
    host = request.app[SETTINGS].server.host.lower().strip("[]")
    return ALLOWED_HOSTS | {f"[{host}]" if ":" in host else host}


def _local_host(request: web.Request) -> bool:
    """A loopback name, and the port this connection came in on when the header names one."""
    name, port = _split_host(request.headers.get("Host", "").strip().lower())
    if name not in _allowed_hosts(request):
        return False
    local = request.transport.get_extra_info("sockname") if request.transport else None
    if port and isinstance(local, tuple):  # a Unix socket has no port
        return port == str(local[1])
    return True


@web.middleware
async def boundary_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Loopback peers only, a local Host header, and no foreign Origin."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if isinstance(peer, tuple) and peer and not is_loopback(str(peer[0])):
        raise ApiError(403, "only clients on this machine may use Sottovoce", code="not_loopback")
    # DNS rebinding: a web page on evil.example resolving to 127.0.0.1 still
    # sends "Host: evil.example".
    if not _local_host(request):
        raise ApiError(
            403,
            "the Host header must be localhost, 127.0.0.1 or [::1] with the daemon's port",
            code="bad_host",
        )
    origin = request.headers.get("Origin")
    if origin is not None:
        allowed = request.app[SETTINGS].server.allowed_origins
        if origin not in allowed:
            # Browsers send Origin on cross-site requests, even "simple"
            # text/plain POSTs that skip the CORS preflight.
            raise ApiError(403, "requests from web pages are not allowed", code="bad_origin")
        if request.method == "OPTIONS":
            return _preflight(origin)
        request[CORS_ORIGIN] = origin
    return await handler(request)


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: also streams, WebSockets and errors carry the CORS headers."""
    origin = request.get(CORS_ORIGIN)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"


def _preflight(origin: str) -> web.Response:
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST, DELETE",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Vary": "Origin",
        },
    )


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A bearer token on every route but health, compared in constant time."""
    if request.path not in PUBLIC_PATHS:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token_matches(request.app[TOKEN], presented.strip()):
            raise ApiError(
                401,
                "missing or wrong API token; `sottovoce token` prints it",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        request.app[GUARD].prove(request.protocol)
    return await handler(request)


@web.middleware
async def shape_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Headers and framing a handler could trip over are refused before any work is done."""
    for name, value in request.headers.items():
        if not (is_utf8(name) and is_utf8(value)):
            # Found now, not after a transcription was computed and could not be stored.
            shown = name if is_utf8(name) else "name"
            raise ApiError(
                400, f"a header ({shown}) is not valid UTF-8", param=shown, code="invalid_header"
            )
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        # Compressed bodies would escape the size limits until decoded (a zip bomb).
        raise ApiError(
            415,
            "compressed request bodies are not accepted; send them uncompressed",
            code="unsupported_encoding",
        )
    with watch_body(request, request.app[SETTINGS].server.body_timeout_seconds):
        return await handler(request)


MIDDLEWARES = (errors_middleware, boundary_middleware, auth_middleware, shape_middleware)
