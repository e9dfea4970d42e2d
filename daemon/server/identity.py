"""GET /v1/identity: prove to a client, without a token from it, that this daemon holds the token."""

from __future__ import annotations

from aiohttp import web

from daemon.identity import NONCE_BYTES, endpoint_label, identity_proof, parse_nonce
from daemon.server.errors import ApiError
from daemon.server.keys import TOKEN


async def identity(request: web.Request) -> web.Response:
    """{"proof", "endpoint"} for the client's nonce, bound to the address it reached us at."""
    nonce = parse_nonce(request.query.get("nonce", ""))
    if nonce is None:
        raise ApiError(
            400, f"nonce must be {NONCE_BYTES} random bytes in hex", param="nonce", code="bad_nonce"
        )
    local = request.transport.get_extra_info("sockname") if request.transport else None
    try:
        endpoint = endpoint_label(local)
    except ValueError:
        raise ApiError(500, "this connection has no local address to prove") from None
    proof = identity_proof(request.app[TOKEN], nonce, endpoint)
    return web.json_response({"proof": proof, "endpoint": endpoint})
