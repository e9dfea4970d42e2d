"""No request content reaches a log: a marker sent in malformed requests appears in no file
under the home and not on stderr (issue 12, item 6)."""

from __future__ import annotations

from pathlib import Path

from tests.support.daemon import start_daemon
from tests.support.rawhttp import exchange, request_bytes

MARKER = "PatientZqx7Marker"


def _malformed(port: int, token: str) -> list[bytes]:
    host = f"Host: 127.0.0.1:{port}\r\n"
    auth = f"Authorization: Bearer {token}\r\n"
    m = MARKER
    chunked = f"POST /v1/rewrite HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\n"
    chunked += "Transfer-Encoding: chunked\r\n\r\n"
    form = f"--x\r\nContent-Disposition: form-data; name*=bogus''{m}%ff\r\n\r\nabc\r\n--x--\r\n"
    return [
        # aiohttp once logged: Got more than 8190 bytes when reading: bytearray(b'/v1/history?q=
        f"GET /v1/history?q={m}{'x' * 9000} HTTP/1.1\r\n{host}\r\n".encode(),
        f"GET /v1/health HTTP/1.1\r\n{host}X-Note: {m}{'y' * 9000}\r\n\r\n".encode(),
        f"GET /v1/health HTTP/1.1\r\n{host}X-{m}{'z' * 9000}: 1\r\n\r\n".encode(),
        f"{chunked}{m}\r\nabc\r\n0\r\n\r\n".encode(),
        f"{chunked}5;{m}=\x01\r\nabcde\r\n0\r\n\r\n".encode(),
        f"{chunked}5\r\nabcde\r\n0\r\nX-{m}: \x01\r\n\r\n".encode(),
        f"{m} /v1/health HTTP/1.1\r\n{host}\r\n".encode(),
        f"GET /v1/health HTTP/9.{m}\r\n{host}\r\n".encode(),
        f"GET /v1/health HTTP/1.1\r\n{host}{m}\r\n\r\n".encode(),
        f"GET /v1/health HTTP/1.1\r\n{host}Content-Length: {m}\r\n\r\n".encode(),
        f"GET /v1/he\x00alth{m} HTTP/1.1\r\n{host}\r\n".encode(),
        f"GET /v1/health HTTP/1.1\r\n{host}X-Control: a\x01{m}\r\n\r\n".encode(),
        b"\x16\x03\x01" + m.encode() + b"\r\n\r\n",
        request_bytes(port, "GET", f"/{m}", token=token),
        request_bytes(port, "GET", f"/v1/history/{m}", token=token),
        request_bytes(port, "GET", f"/v1/history?q={m}", token=token),
        request_bytes(
            port,
            "POST",
            "/v1/rewrite",
            f'{{"text": "{m}'.encode(),
            token=token,
            content_type="application/json",
        ),
        request_bytes(
            port,
            "POST",
            "/v1/rewrite",
            f'{{"text":"{m}"}}'.encode(),
            token=token,
            content_type="application/json",
            headers=f"Content-Encoding: gzip\r\nX-Sottovoce-Source-App: {m}\xff\r\n".encode(
                "latin-1"
            ),
        ),
        request_bytes(
            port,
            "POST",
            "/v1/audio/transcriptions",
            form.encode(),
            token=token,
            content_type="multipart/form-data; boundary=x",
        ),
        request_bytes(
            port,
            "POST",
            "/v1/audio/transcriptions",
            b"--x\r\n" + m.encode(),
            token=token,
            content_type="multipart/form-data; boundary=x",
        ),
        request_bytes(
            port,
            "POST",
            "/v1/chat/completions",
            f'{{"{m}": [{"[" * 5000}'.encode(),
            token=token,
            content_type="application/json",
        ),
    ]


def test_a_marker_in_malformed_requests_reaches_no_file_and_not_stderr(
    tmp_path: Path, no_os_keyring: None
) -> None:
    home = tmp_path / "home"
    daemon = start_daemon(home, wait_models=False)
    try:
        statuses = [
            exchange(daemon.port, data, timeout=15).status
            for data in _malformed(daemon.port, daemon.token)
        ]
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert all(s is not None and s < 500 for s in statuses), str(statuses)
    # The daemon's stdout and stderr went to serve.out, under the home too.
    files = [p for p in home.rglob("*") if p.is_file()]
    assert daemon.log_path in files
    marker = MARKER.encode()
    leaked = [
        p for p in files if marker in p.read_bytes() or marker.lower() in p.read_bytes().lower()
    ]
    assert not leaked, f"the marker is in {leaked}"
    # The errors were logged, without their content.
    assert "request content not logged" in daemon.log()
