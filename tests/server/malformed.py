"""Malformed requests of the kinds that once got a 500, with the answer each must get."""

from __future__ import annotations

from dataclasses import dataclass, field

MULTIPART = "multipart/form-data; boundary=x"
JSON = "application/json"
CHAT = "/v1/chat/completions"
TRANSCRIBE = "/v1/audio/transcriptions"
USER_HI = b'{"role":"user","content":"hi"}'


@dataclass(frozen=True)
class Case:
    """A request sent with a valid token; `status` and `code` are what it must get."""

    name: str
    method: str
    path: str
    body: bytes = b""
    content_type: str | None = None
    headers: bytes = b""
    status: int = 400
    code: str | None = field(default=None)


def _part(headers: str, content: bytes = b"abc") -> bytes:
    return b"--x\r\n" + headers.encode() + b"\r\n\r\n" + content + b"\r\n--x--\r\n"


BROKEN_FORMS = [
    Case("not multipart at all", "POST", TRANSCRIBE, b"--x\r\nnot multipart at all", MULTIPART),
    Case("no boundary parameter", "POST", TRANSCRIBE, b"abc", "multipart/form-data"),
    Case("empty body", "POST", TRANSCRIBE, b"", MULTIPART),
    Case(
        "no closing boundary",
        "POST",
        TRANSCRIBE,
        b'--x\r\nContent-Disposition: form-data; name="model"\r\n\r\nabc',
        MULTIPART,
    ),
    Case("a part header without a colon", "POST", TRANSCRIBE, _part("no header here"), MULTIPART),
    Case(
        "a boundary over 70 characters",
        "POST",
        TRANSCRIBE,
        b"--" + b"b" * 100 + b"\r\n\r\nabc\r\n--" + b"b" * 100 + b"--\r\n",
        "multipart/form-data; boundary=" + "b" * 100,
    ),
]
for case in BROKEN_FORMS:
    object.__setattr__(case, "code", "invalid_multipart")

CASES = [
    *BROKEN_FORMS,
    Case("JSON nested 100,000 levels", "POST", CHAT, b"[" * 100_000 + b"]" * 100_000, JSON),
    Case(
        "messages nested 100,000 levels",
        "POST",
        CHAT,
        b'{"messages":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        JSON,
    ),
    Case(
        "max_tokens of 5,000 digits",
        "POST",
        CHAT,
        b'{"messages":[' + USER_HI + b'],"max_tokens":' + b"9" * 5000 + b"}",
        JSON,
    ),
    Case(
        "max_tokens of 4,000 digits",
        "POST",
        CHAT,
        b'{"messages":[' + USER_HI + b'],"max_tokens":' + b"9" * 4000 + b"}",
        JSON,
    ),
    Case(
        "a seed past 64 bits",
        "POST",
        CHAT,
        b'{"messages":[' + USER_HI + b'],"max_tokens":1,"seed":' + b"9" * 30 + b"}",
        JSON,
    ),
    Case(
        "a lone surrogate in chat content",
        "POST",
        CHAT,
        b'{"messages":[{"role":"user","content":"\\ud800"}],"max_tokens":1}',
        JSON,
    ),
    Case(
        "a lone surrogate in a content part",
        "POST",
        CHAT,
        b'{"messages":[{"role":"user","content":[{"type":"text","text":"a\\udfff"}]}]}',
        JSON,
    ),
    Case("a lone surrogate in rewrite text", "POST", "/v1/rewrite", b'{"text":"a \\ud800"}', JSON),
    Case("a lone surrogate in a key", "POST", "/v1/defaults", b'{"\\ud800":1}', JSON),
    Case(
        "a chat message without content",
        "POST",
        CHAT,
        b'{"messages":[{"role":"user"}],"max_tokens":1}',
        JSON,
    ),
    Case(
        "NaN temperature",
        "POST",
        CHAT,
        b'{"messages":[' + USER_HI + b'],"temperature":NaN}',
        JSON,
    ),
    Case("history id past 64 bits", "GET", "/v1/history/99999999999999999999"),
    Case("history id of 2**63", "GET", "/v1/history/9223372036854775808"),
    Case("deleting an id past 64 bits", "DELETE", "/v1/history/99999999999999999999"),
    Case("history id in Arabic-Indic digits", "GET", "/v1/history/%D9%A1"),
    Case("history id with a plus sign", "GET", "/v1/history/+1"),
    Case("a before cursor past 64 bits", "GET", "/v1/history?before=99999999999999999999"),
    Case("a limit of 30 digits", "GET", "/v1/history?limit=" + "9" * 30),
    Case(
        "a bogus gzip body",
        "POST",
        CHAT,
        b'{"messages":[]}',
        JSON,
        b"Content-Encoding: gzip\r\n",
        415,
        "unsupported_encoding",
    ),
    Case(
        "a bogus gzip form",
        "POST",
        TRANSCRIBE,
        _part('Content-Disposition: form-data; name="file"'),
        MULTIPART,
        b"Content-Encoding: gzip\r\n",
        415,
        "unsupported_encoding",
    ),
    Case(
        "a bogus deflate body",
        "POST",
        "/v1/rewrite",
        b'{"text":"x"}',
        JSON,
        b"Content-Encoding: deflate\r\n",
        415,
        "unsupported_encoding",
    ),
    Case(
        "a non-UTF-8 source app on a rewrite",
        "POST",
        "/v1/rewrite",
        b'{"text":"Hello there."}',
        JSON,
        b"X-Sottovoce-Source-App: \xff\xfe\r\n",
        400,
        "invalid_header",
    ),
    Case(
        "a non-UTF-8 source app on a transcription",
        "POST",
        TRANSCRIBE,
        _part('Content-Disposition: form-data; name="file"; filename="a.wav"'),
        MULTIPART,
        b"X-Sottovoce-Source-App: caf\xe9\r\n",
        400,
        "invalid_header",
    ),
]
