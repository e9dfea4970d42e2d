"""The security boundary, tested against a running daemon with raw HTTP."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import aiohttp
import pytest

from tests.support.daemon import RunningDaemon, sottovoce, write_config
from tests.support.speech import ALSA_SOUNDS

TRANSCRIBE = "/v1/audio/transcriptions"


async def _request(
    daemon: RunningDaemon, method: str, path: str, **kwargs: object
) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, daemon.base_url + path, **kwargs) as response,  # type: ignore[arg-type]
    ):
        body = await response.json(content_type=None)
        return response.status, body


def _form(data: bytes, name: str = "file", **fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field(name, io.BytesIO(data), filename="audio.wav", content_type="audio/wav")
    for key, value in fields.items():
        form.add_field(key, value)
    return form


def _assert_openai_error(body: dict[str, object]) -> str:
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"]
    return error["message"]


async def test_health_needs_no_token_and_reports_models(daemon: RunningDaemon) -> None:
    status, body = await _request(daemon, "GET", "/v1/health")
    assert status == 200
    assert body["status"] == "ok"
    assert body["device"] in ("cpu", "cuda")
    assert body["outbound_guard"] is True


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic abc", "Bearer "])
async def test_missing_or_wrong_token_is_401(daemon: RunningDaemon, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    status, body = await _request(daemon, "GET", "/v1/models", headers=headers)
    assert status == 401
    assert "token" in _assert_openai_error(body)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "localhost:1"])
async def test_foreign_host_header_is_refused(daemon: RunningDaemon, host: str) -> None:
    headers = {**daemon.headers, "Host": host.format(port=daemon.port)}
    for path in ("/v1/health", "/v1/models"):
        status, body = await _request(daemon, "GET", path, headers=headers)
        assert status == 403
        assert "Host" in _assert_openai_error(body)


async def test_local_host_header_with_port_is_accepted(daemon: RunningDaemon) -> None:
    for host in (f"localhost:{daemon.port}", f"127.0.0.1:{daemon.port}", "localhost", "[::1]"):
        status, _ = await _request(
            daemon, "GET", "/v1/models", headers={**daemon.headers, "Host": host}
        )
        assert status == 200, host


async def test_foreign_origin_is_refused_even_for_text_plain_post(daemon: RunningDaemon) -> None:
    headers = {**daemon.headers, "Origin": "https://evil.example", "Content-Type": "text/plain"}
    status, body = await _request(daemon, "POST", TRANSCRIBE, headers=headers, data=b"hello")
    assert status == 403
    assert "web pages" in _assert_openai_error(body)
    # No token either: the browser case. Still refused, and no CORS header leaks.
    status, _ = await _request(
        daemon, "GET", "/v1/health", headers={"Origin": "https://evil.example"}
    )
    assert status == 403


async def test_oversized_upload_is_413_and_daemon_keeps_serving(daemon: RunningDaemon) -> None:
    big = b"\0" * (50 * 1024 * 1024 + 1024)
    status, body = await _request(
        daemon, "POST", TRANSCRIBE, headers=daemon.headers, data=_form(big)
    )
    assert status == 413
    _assert_openai_error(body)
    status, _ = await _request(daemon, "GET", "/v1/health")
    assert status == 200


@pytest.mark.parametrize(
    "data, fields, expected",
    [
        (b"RIFF\x00\x00garbage-not-audio" * 10, {}, "could not be decoded"),
        (b"", {}, "empty"),
        (None, {"name": "audio"}, "unknown form field"),
        (None, {"modle": "whisper-1"}, "unknown form field"),
        (None, {"response_format": "pdf"}, "response_format"),
        (None, {"temperature": "hot"}, "temperature"),
        (None, {"language": "english!"}, "language"),
    ],
)
async def test_bad_uploads_are_400_with_clear_message(
    daemon: RunningDaemon, data: bytes | None, fields: dict[str, str], expected: str
) -> None:
    payload = (ALSA_SOUNDS / "Front_Left.wav").read_bytes() if data is None else data
    name = fields.pop("name", "file")
    status, body = await _request(
        daemon, "POST", TRANSCRIBE, headers=daemon.headers, data=_form(payload, name, **fields)
    )
    assert status == 400
    assert expected in _assert_openai_error(body)


async def test_json_body_on_upload_route_is_415(daemon: RunningDaemon) -> None:
    status, body = await _request(
        daemon, "POST", TRANSCRIBE, headers=daemon.headers, json={"file": "x"}
    )
    assert status == 415
    _assert_openai_error(body)


async def test_unknown_route_and_method_are_json_errors(daemon: RunningDaemon) -> None:
    status, body = await _request(daemon, "GET", "/v1/nothing", headers=daemon.headers)
    assert status == 404
    _assert_openai_error(body)
    status, body = await _request(daemon, "DELETE", "/v1/models", headers=daemon.headers)
    assert status == 405
    _assert_openai_error(body)


def test_token_file_is_private_and_cli_prints_it(daemon: RunningDaemon) -> None:
    token_file = daemon.home / "config" / "token"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    result = sottovoce("token", home=daemon.home)
    assert result.returncode == 0
    assert result.stdout.strip() == daemon.token


@pytest.mark.parametrize("how", ["flag", "config"])
def test_non_loopback_host_is_refused_at_start(tmp_path: Path, how: str) -> None:
    home = tmp_path / "home"
    args = ["serve", "--port", "0"]
    if how == "flag":
        args += ["--host", "0.0.0.0"]
    else:
        write_config(home, '[server]\nhost = "0.0.0.0"\n')
    result = sottovoce(*args, home=home, timeout=60)
    assert result.returncode != 0
    assert "server.host" in result.stderr and "loopback" in result.stderr


def test_an_allowed_origin_gets_cors_headers_even_on_streams(tmp_path: Path) -> None:
    import asyncio

    from tests.support.daemon import start_daemon

    home = tmp_path / "home"
    write_config(
        home,
        '[server]\nallowed_origins = ["http://localhost:3000"]\n[speech]\nload_at_start = false\n',
    )
    daemon = start_daemon(home, wait_models=False)

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            origin = {"Origin": "http://localhost:3000"}
            async with session.options(
                daemon.base_url + "/v1/chat/completions", headers=origin
            ) as response:
                assert response.status == 204
                assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
            body = {
                "messages": [{"role": "user", "content": "Hi"}],
                "max_tokens": 2,
                "stream": True,
            }
            async with session.post(
                daemon.base_url + "/v1/chat/completions",
                json=body,
                headers={**daemon.headers, **origin},
            ) as response:
                assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
                await response.read()
            async with session.get(daemon.base_url + "/v1/models", headers=origin) as response:
                assert response.status == 401  # an allowed origin still needs the token
                assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
            async with session.get(
                daemon.base_url + "/v1/models",
                headers={**daemon.headers, "Origin": "http://evil.example"},
            ) as response:
                assert response.status == 403
                assert "Access-Control-Allow-Origin" not in response.headers

    try:
        asyncio.run(run())
    finally:
        assert daemon.stop() == 0
