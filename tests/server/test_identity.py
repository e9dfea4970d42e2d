"""GET /v1/identity: the daemon proves it holds the token, and the project's clients check it."""

from __future__ import annotations

import aiohttp
import pytest

from daemon.client import DaemonAddress, request_json, verify_daemon
from daemon.identity import identity_proof, new_nonce
from tests.support.daemon import RunningDaemon


async def _identity(
    daemon: RunningDaemon, query: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{daemon.base_url}/v1/identity?{query}", headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)


async def test_identity_proves_the_token_without_asking_for_one(daemon: RunningDaemon) -> None:
    nonce = new_nonce()
    status, body = await _identity(daemon, f"nonce={nonce.hex()}")
    assert status == 200
    endpoint = f"127.0.0.1:{daemon.port}"
    assert body == {"proof": identity_proof(daemon.token, nonce, endpoint), "endpoint": endpoint}
    # Bound to the nonce, the token and the address: no answer serves for another question.
    assert body["proof"] != identity_proof(daemon.token, new_nonce(), endpoint)
    assert body["proof"] != identity_proof("sv-another-token", nonce, endpoint)
    assert body["proof"] != identity_proof(daemon.token, nonce, "127.0.0.1:1")
    assert daemon.token not in str(body)


@pytest.mark.parametrize("query", ["", "nonce=abc", "nonce=" + "zz" * 32, "nonce=" + "00" * 31])
async def test_identity_refuses_a_nonce_that_is_not_32_bytes_of_hex(
    daemon: RunningDaemon, query: str
) -> None:
    status, body = await _identity(daemon, query)
    assert status == 400
    assert body["error"]["code"] == "bad_nonce"  # type: ignore[index]


async def test_identity_keeps_the_host_check(daemon: RunningDaemon) -> None:
    status, body = await _identity(daemon, "nonce=" + "00" * 32, {"Host": "evil.example"})
    assert status == 403
    assert "proof" not in body


async def test_the_real_daemon_passes_the_check_and_then_serves_the_client(
    daemon: RunningDaemon,
) -> None:
    address = DaemonAddress(daemon.base_url, daemon.token)
    async with address.session() as session:
        await verify_daemon(session, address)
        models = await request_json(session, address, "GET", "/v1/models")
        await verify_daemon(session, address)  # asked again, on the connection it proved before
        presets = await request_json(session, address, "GET", "/v1/rewrite/presets")
    assert models["object"] == "list"
    assert any(preset["name"] == "proofread" for preset in presets["data"])


async def test_a_plain_session_is_refused_before_anything_is_sent(daemon: RunningDaemon) -> None:
    address = DaemonAddress(daemon.base_url, daemon.token)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TypeError, match=r"DaemonAddress\.session"):
            await request_json(session, address, "GET", "/v1/models")
