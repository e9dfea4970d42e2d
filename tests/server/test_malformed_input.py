"""Malformed input gets a clear 4xx in OpenAI's error shape, never a 500 (issue 12, item 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.server.malformed import CASES, Case
from tests.support.daemon import RunningDaemon, health, start_daemon
from tests.support.rawhttp import exchange, request_bytes


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None) -> Iterator[RunningDaemon]:
    """A daemon of its own: its LLM is not loaded until a request needs it."""
    running = start_daemon(tmp_path_factory.mktemp("malformed-home"))
    yield running
    assert running.stop() == 0, running.log()


def send(daemon: RunningDaemon, case: Case) -> tuple[int | None, dict[str, object]]:
    data = request_bytes(
        daemon.port,
        case.method,
        case.path,
        case.body,
        token=daemon.token,
        content_type=case.content_type,
        headers=case.headers,
    )
    response = exchange(daemon.port, data)
    return response.status, json.loads(response.body)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_request_gets_its_4xx_in_openai_shape(fresh: RunningDaemon, case: Case) -> None:
    status, body = send(fresh, case)
    assert status == case.status, body
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["message"]
    if case.code:
        assert error["code"] == case.code


def test_bad_source_app_header_is_refused_before_the_model_runs(fresh: RunningDaemon) -> None:
    # The LLM loads on first use: still unloaded means no rewrite was attempted.
    assert health(fresh)["models"]["llm"]["state"] == "unloaded"  # type: ignore[index]
    case = next(c for c in CASES if c.name == "a non-UTF-8 source app on a rewrite")
    status, body = send(fresh, case)
    assert status == 400 and body["error"]["param"] == "X-Sottovoce-Source-App"  # type: ignore[index]
    assert health(fresh)["models"]["llm"]["state"] == "unloaded"  # type: ignore[index]


def test_message_without_content_names_the_field(fresh: RunningDaemon) -> None:
    case = next(c for c in CASES if c.name == "a chat message without content")
    status, body = send(fresh, case)
    assert status == 400
    assert body["error"]["param"] == "messages.0.content"  # type: ignore[index]


def test_an_assistant_turn_may_have_null_content(fresh: RunningDaemon) -> None:
    body = (
        b'{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null},'
        b'{"role":"user","content":"Say yes."}],"max_tokens":2}'
    )
    data = request_bytes(
        fresh.port,
        "POST",
        "/v1/chat/completions",
        body,
        token=fresh.token,
        content_type="application/json",
    )
    assert exchange(fresh.port, data, timeout=120).status == 200


def _protocol_errors(port: int, token: str) -> list[tuple[str, bytes]]:
    host = f"Host: 127.0.0.1:{port}\r\n"
    chunked = (
        f"POST /v1/rewrite HTTP/1.1\r\n{host}Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return [
        (
            "oversized request line",
            f"GET /v1/history?q=Doe{'x' * 9000} HTTP/1.1\r\n{host}\r\n".encode(),
        ),
        (
            "oversized header",
            f"GET /v1/health HTTP/1.1\r\n{host}X-A: Doe{'y' * 9000}\r\n\r\n".encode(),
        ),
        ("not HTTP", b"\x16\x03\x01Doe\r\n\r\n"),
        ("a bad chunk size", f"{chunked}Doe\r\nabc\r\n0\r\n\r\n".encode()),
        (
            "brotli, which aiohttp cannot decode",
            (
                f"POST /v1/rewrite HTTP/1.1\r\n{host}Content-Type: application/json\r\n"
                "Content-Encoding: br\r\nContent-Length: 3\r\n\r\nDoe"
            ).encode(),
        ),
    ]


@pytest.mark.parametrize("index", range(5))
def test_http_level_errors_are_in_openai_shape_and_quote_nothing(
    fresh: RunningDaemon, index: int
) -> None:
    name, data = _protocol_errors(fresh.port, fresh.token)[index]
    response = exchange(fresh.port, data)
    assert response.status == 400, name
    error = json.loads(response.body)["error"]
    assert error["code"] == "invalid_http" and error["type"] == "invalid_request_error"
    assert b"Doe" not in response.body, name
