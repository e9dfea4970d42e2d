"""The upstream client against small real servers on loopback: OpenAI's error statuses
become the daemon's errors (429 stays 429), a stream cut short is an error, the API key
is sent, a wrong pin stops the request before its first byte, and each request is
audited once, however it ends."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from daemon.upstream.audit import UpstreamRecord
from daemon.upstream.client import UpstreamClient
from daemon.upstream.errors import (
    PinMismatchError,
    UpstreamBusyError,
    UpstreamLostError,
    UpstreamRefusedError,
    UpstreamUnreachableError,
)
from daemon.upstream.selfsigned import make_certificate
from daemon.upstream.settings import UpstreamEngineSettings
from tests.support.daemon import wait_for
from tests.upstream.support import recording_server

BODY = {"model": "m", "messages": [{"role": "user", "content": "Mrs Alvarez"}]}


class _Canned(http.server.BaseHTTPRequestHandler):
    """Answers every POST with the class's status, headers and body; records headers."""

    status = 200
    headers_out: ClassVar[dict[str, str]] = {}
    body = b"{}"
    seen: ClassVar[list[dict[str, str]]] = []
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        type(self).bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(dict(self.headers))
        self.send_response(self.status)
        for name, value in {"Content-Length": str(len(self.body)), **self.headers_out}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[tuple[type[_Canned], int]]:
    handler = type("Handler", (_Canned,), {"seen": [], "bodies": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(10)


def _client(
    port: int, records: list[UpstreamRecord], scheme: str = "http", pin: str = ""
) -> UpstreamClient:
    settings = UpstreamEngineSettings(
        url=f"{scheme}://127.0.0.1:{port}/v1", pin=pin, model="m", timeout_seconds=10
    )
    return UpstreamClient("llm", settings, [(socket.AF_INET, "127.0.0.1")], "k-123", records.append)


def test_a_429_stays_a_429_with_its_retry_after(canned: tuple[type[_Canned], int]) -> None:
    handler, port = canned
    handler.status, handler.headers_out = 429, {"Retry-After": "7"}
    records: list[UpstreamRecord] = []
    with pytest.raises(UpstreamBusyError) as busy:
        _client(port, records).post_json("/chat/completions", BODY, "m")
    assert busy.value.retry_after == 7
    assert [(r.outcome, r.status) for r in records] == [("http_error", 429)]


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, UpstreamRefusedError), (503, UpstreamUnreachableError), (500, UpstreamUnreachableError)],
)
def test_error_statuses(
    canned: tuple[type[_Canned], int], status: int, error: type[Exception]
) -> None:
    handler, port = canned
    handler.status, handler.body = status, b'{"error": {"message": "Mrs Alvarez is too long"}}'
    with pytest.raises(error) as raised:
        _client(port, []).post_json("/chat/completions", BODY, "m")
    assert "Alvarez" not in str(raised.value)  # an upstream's message may quote the prompt


def test_the_api_key_is_sent_as_a_bearer_token(canned: tuple[type[_Canned], int]) -> None:
    handler, port = canned
    records: list[UpstreamRecord] = []
    assert _client(port, records).post_json("/chat/completions", BODY, "m") == {}
    assert handler.seen[0]["Authorization"] == "Bearer k-123"
    assert [(r.endpoint, r.outcome) for r in records] == [("/v1/chat/completions", "ok")]
    assert records[0].bytes_sent > len(b"Mrs Alvarez") and records[0].bytes_received > 0


def test_a_stream_that_ends_without_done_is_lost(canned: tuple[type[_Canned], int]) -> None:
    handler, port = canned
    handler.headers_out = {"Content-Type": "text/event-stream"}
    handler.body = b'data: {"choices": [{"delta": {"content": "a"}}]}\n\n'
    records: list[UpstreamRecord] = []
    events = _client(port, records).stream_events("/chat/completions", BODY, "m", threading.Event())
    assert next(events)["choices"][0]["delta"]["content"] == "a"
    with pytest.raises(UpstreamLostError, match="stopped in the middle"):
        next(events)
    assert [r.outcome for r in records] == ["lost"]


def test_nothing_listening_is_unreachable_and_audited() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    records: list[UpstreamRecord] = []
    with pytest.raises(UpstreamUnreachableError):
        _client(port, records).post_json("/chat/completions", BODY, "m")
    assert [(r.outcome, r.bytes_sent) for r in records] == [("unreachable", 0)]


def test_a_wrong_pin_stops_the_request_before_its_first_byte(tmp_path: Path) -> None:
    real = make_certificate(tmp_path, "real", ["127.0.0.1"])
    impostor = make_certificate(tmp_path, "impostor", ["127.0.0.1"])
    with recording_server("127.0.0.1", impostor) as fake:
        records: list[UpstreamRecord] = []
        client = _client(fake.port, records, "https", real.spki_pin)
        with pytest.raises(PinMismatchError, match="nothing was sent"):
            client.post_json("/chat/completions", BODY, "m")
        assert client.state.state == "pin_mismatch"
    assert fake.handshakes == 1 and fake.received == b""
    assert [(r.outcome, r.bytes_sent) for r in records] == [("pin_mismatch", 0)]


def test_the_right_pin_lets_the_request_through(tmp_path: Path) -> None:
    made = make_certificate(tmp_path, "real", ["127.0.0.1"])
    with recording_server("127.0.0.1", made) as server:
        settings = UpstreamEngineSettings(
            url=f"https://127.0.0.1:{server.port}/v1", pin=made.cert_pin, model="m",
            timeout_seconds=1,
        )  # fmt: skip
        client = UpstreamClient("llm", settings, [(socket.AF_INET, "127.0.0.1")], None, print)
        # The recorder only listens: the client gives up waiting for an answer.
        with pytest.raises(UpstreamUnreachableError, match="did not answer"):
            client.post_json("/chat/completions", BODY, "m")
        wait_for(lambda: server.connections_ended >= 1)
    assert server.received.startswith(b"POST /v1/chat/completions HTTP/1.1")
