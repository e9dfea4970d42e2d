"""Request bodies for the upstream: JSON, or a multipart form with one file (RFC 7578).

Written here rather than taken from a library: http.client has no form encoder,
aiohttp's MultipartWriter writes only to an async stream, and one file with a few
text fields is the whole of what OpenAI's audio endpoints take.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Body:
    """What one request sends, and its Content-Type."""

    data: bytes
    content_type: str


def json_body(value: dict[str, Any]) -> Body:
    """A JSON request body."""
    return Body(json.dumps(value).encode(), "application/json")


def multipart_body(fields: dict[str, str], file: tuple[str, bytes, str]) -> Body:
    """A multipart/form-data body: the text fields, then the file (name, bytes, type)."""
    boundary = "sottovoce-" + secrets.token_hex(16)  # cannot occur in the audio by chance
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(_part_head(boundary, f'name="{_quoted(name)}"') + value.encode() + b"\r\n")
    filename, data, content_type = file
    disposition = f'name="file"; filename="{_quoted(filename)}"'
    head = _part_head(boundary, disposition, f"Content-Type: {content_type}\r\n")
    parts.append(head + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return Body(b"".join(parts), f"multipart/form-data; boundary={boundary}")


def _part_head(boundary: str, disposition: str, extra: str = "") -> bytes:
    return f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n{extra}\r\n".encode()


def _quoted(text: str) -> str:
    # RFC 7578 4.2: a quote or line break in a name is percent-encoded.
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
