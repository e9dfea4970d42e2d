"""Hundreds of malformed requests: not one answer of 500 or more, and the daemon still
transcribes afterwards (issue 12, acceptance)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from tests.server.malformed import CASES, CHAT, JSON, MULTIPART, TRANSCRIBE
from tests.support.daemon import RunningDaemon, health, start_daemon
from tests.support.rawhttp import exchange, request_bytes
from tests.support.speech import speak, words

SENTENCE = "The patient denies chest pain and shortness of breath."
TIME_LIMIT = 240.0

FORM = (
    b'--x\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
    b"Content-Type: audio/wav\r\n\r\nRIFF\x00\x00\x00\x00WAVEnot audio\r\n--x--\r\n"
)
CHAT_BODY = b'{"messages":[{"role":"user","content":"hi"}],"max_tokens":1,"temperature":0}'


def _flip(rng: random.Random, data: bytes) -> bytes:
    """A few bytes replaced by random ones (bad UTF-8 included)."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _requests(port: int, token: str, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    def api(
        name: str,
        method: str,
        path: str,
        body: bytes = b"",
        ctype: str | None = None,
        headers: bytes = b"",
    ) -> tuple[str, bytes]:
        return name, request_bytes(
            port, method, path, body, token=token, content_type=ctype, headers=headers
        )

    for case in CASES:
        yield api(case.name, case.method, case.path, case.body, case.content_type, case.headers)
    for i in range(40):
        cut = FORM[: rng.randrange(len(FORM))]
        yield api(f"form cut at {len(cut)}", "POST", TRANSCRIBE, cut, MULTIPART)
        yield api(f"form with flipped bytes {i}", "POST", TRANSCRIBE, _flip(rng, FORM), MULTIPART)
    for boundary in ("", '""', "x" * 200, "a b", "\x7f", "x; boundary=y"):
        yield api(
            f"boundary {boundary!r}",
            "POST",
            TRANSCRIBE,
            FORM,
            f"multipart/form-data; boundary={boundary}",
        )
    for i in range(30):
        depth = rng.choice([33, 1000, 50_000])
        yield api(
            f"nested {depth}",
            "POST",
            rng.choice([CHAT, "/v1/rewrite", "/v1/defaults"]),
            b"[" * depth + b"]" * rng.choice([0, depth]),
            JSON,
        )
        digits = rng.randint(19, 6000)
        yield api(
            f"{digits}-digit number",
            "POST",
            CHAT,
            CHAT_BODY[:-1]
            + b',"'
            + rng.choice([b"max_tokens", b"seed", b"n"])
            + b'":'
            + b"9" * digits
            + b"}",
            JSON,
        )
        yield api(f"JSON with flipped bytes {i}", "POST", CHAT, _flip(rng, CHAT_BODY), JSON)
        yield api(
            f"JSON cut {i}", "POST", "/v1/rewrite", b'{"text":"abc"}'[: rng.randrange(14)], JSON
        )
        surrogate = rng.choice(["\\ud800", "\\udfff", "\\udbff\\u0041"]).encode()
        yield api(
            f"surrogate {i}",
            "POST",
            CHAT,
            b'{"messages":[{"role":"user","content":"a' + surrogate + b'"}],"max_tokens":1}',
            JSON,
        )
    for _ in range(25):
        entry = "".join(rng.choice("0123456789") for _ in range(rng.randint(20, 60)))
        yield api(
            f"id of {len(entry)} digits", rng.choice(["GET", "DELETE"]), f"/v1/history/{entry}"
        )
        yield api(f"before of {len(entry)} digits", "GET", f"/v1/history?before={entry}")
        odd = rng.choice(["%FF", "%00", "1e3", "0x10", "1.5", "%D9%A1%D9%A2", "-0", "99%20"])
        yield api(f"id {odd}", "GET", f"/v1/history/{odd}")
    for i in range(20):
        raw = bytes(rng.randrange(128, 256) for _ in range(rng.randint(1, 20)))
        yield api(
            f"source app bytes {i}",
            "POST",
            "/v1/rewrite",
            b'{"text":"Hello."}',
            JSON,
            b"X-Sottovoce-Source-App: " + raw + b"\r\n",
        )
        encoding = rng.choice([b"gzip", b"deflate", b"x-gzip", b"gzip, deflate", b"GZIP"])
        yield api(
            f"content-encoding {encoding!r}",
            "POST",
            rng.choice([CHAT, TRANSCRIBE, "/v1/rewrite"]),
            b"\x1f\x8b\x08garbage",
            rng.choice([JSON, MULTIPART]),
            b"Content-Encoding: " + encoding + b"\r\n",
        )
    for i in range(10):
        yield (
            f"request line garbage {i}",
            bytes(rng.randrange(256) for _ in range(64)) + b"\r\n\r\n",
        )
        yield (
            f"bad chunk line {i}",
            (
                f"POST /v1/rewrite HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            ).encode()
            + _flip(rng, b'5\r\n{"tex\r\n0\r\n\r\n'),
        )


@pytest.fixture(scope="module")
def target(
    tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    running = start_daemon(tmp_path_factory.mktemp("fuzz-home"))
    yield running
    assert running.stop() == 0, running.log()


def test_malformed_requests_get_no_5xx_and_the_daemon_keeps_transcribing(
    target: RunningDaemon, tmp_path: Path
) -> None:
    started = time.monotonic()
    requests = list(_requests(target.port, target.token, random.Random(12)))
    assert len(requests) >= 200
    failures = []
    for name, data in requests:
        assert time.monotonic() - started < TIME_LIMIT, "the fuzz run took too long"
        status = exchange(target.port, data).status
        if status is None or status >= 500:
            failures.append((name, status))
    assert not failures, f"{len(failures)} of {len(requests)} failed: {failures[:10]}"
    assert health(target)["status"] == "ok"
    spoken = speak(SENTENCE, tmp_path / "sentence.wav")
    url = target.base_url + "/v1"
    with (
        OpenAI(base_url=url, api_key=target.token, max_retries=0) as client,
        spoken.open("rb") as f,
    ):
        result = client.audio.transcriptions.create(model="whisper-1", file=f)
    assert words(result.text) == words(SENTENCE)
    assert "unhandled" not in target.log()
