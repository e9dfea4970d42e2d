"""The daemon's proof of identity: an HMAC of a client's nonce under the API token.

A client asks `GET /v1/identity?nonce=...` before it sends the token or any
text; only a server that holds the token can answer. The proof also covers the
address the answering daemon was reached at, so a program on another address
(say [::1]:8765 while the daemon holds 127.0.0.1:8765) cannot relay the
question to the real daemon and pass its answer off as its own.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

IDENTITY_PATH = "/v1/identity"
NONCE_BYTES = 32
#: Domain separation: a proof can never double as any other MAC made with the token.
DOMAIN = b"sottovoce-identity\0"


def new_nonce() -> bytes:
    """A fresh random challenge."""
    return secrets.token_bytes(NONCE_BYTES)


def parse_nonce(text: str) -> bytes | None:
    """The nonce of a query string (hex), or None when it is not exactly NONCE_BYTES long."""
    if len(text) != 2 * NONCE_BYTES:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def endpoint_label(address: object) -> str:
    """One spelling of a socket address for both ends: "127.0.0.1:8765", "[::1]:8765", "unix:/p".

    `address` is what asyncio's get_extra_info gives: the server's "sockname",
    the client's "peername". Raises ValueError for anything else.
    """
    if isinstance(address, str) and address:
        return "unix:" + address
    if isinstance(address, tuple) and len(address) >= 2:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        return f"{host}:{int(address[1])}"
    raise ValueError(f"not a socket address: {address!r}")


def identity_proof(token: str, nonce: bytes, endpoint: str) -> str:
    """hex(HMAC-SHA256(token, DOMAIN + nonce + endpoint)); the nonce has a fixed length."""
    message = DOMAIN + nonce + endpoint.encode("utf-8", "surrogateescape")
    key = token.encode("utf-8", "surrogateescape")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def proof_matches(token: str, nonce: bytes, endpoint: str, presented: object) -> bool:
    """Whether `presented` is the proof for this nonce and endpoint (constant time)."""
    if not isinstance(presented, str):
        return False
    expected = identity_proof(token, nonce, endpoint)
    return hmac.compare_digest(expected.encode(), presented.encode("utf-8", "surrogateescape"))
