"""Reading request bodies safely: JSON only as application/json, bounded, and well-formed."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, ValidationError

from daemon.protocol import SOURCE_APP_HEADER
from daemon.server.errors import ApiError
from daemon.server.keys import SETTINGS

M = TypeVar("M", bound=BaseModel)

# Deep enough for any request of this API; json.loads itself would recurse
# until Python's stack limit (a RecursionError) on a body of brackets.
MAX_JSON_DEPTH = 32
INT64 = 2**63


async def read_json(request: web.Request, limit: int | None = None) -> Any:
    """The JSON body, refusing other content types and bodies over the limit."""
    limit = limit or request.app[SETTINGS].server.max_json_bytes
    if request.content_type != "application/json":
        raise ApiError(415, "the body must be JSON with Content-Type: application/json")
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"the request body is over the limit of {limit} bytes")
    # Read to the end, but never past the limit: chunked bodies carry no Content-Length.
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return parse_json(b"".join(chunks))


def parse_json(body: bytes) -> Any:
    """Parse a JSON body; anything Python's parser chokes on or we cannot store is a 400."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise ApiError(400, f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApiError(400, f"the body is not valid JSON ({error.__class__.__name__})") from None
    except ValueError:
        # Python's limit on the digits of an integer (4,300).
        raise ApiError(400, "a number has too many digits") from None
    problem = _json_problem(data, 0)
    if problem:
        raise ApiError(400, problem)
    return data


def _json_problem(value: Any, depth: int) -> str | None:
    """What makes this JSON unusable: too deep, a huge number, a lone surrogate."""
    if depth > MAX_JSON_DEPTH:
        return f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, str):
        return None if is_utf8(value) else "a string holds a lone UTF-16 surrogate"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -INT64 <= value < INT64 else "a number is beyond the 64-bit range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number is not finite"
    items: Any = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for key, item in items:
        if key is not None and not is_utf8(key):
            return "a key holds a lone UTF-16 surrogate"
        if problem := _json_problem(item, depth + 1):
            return problem
    return None


def is_utf8(text: str) -> bool:
    """False for a str holding lone surrogates (bad UTF-8 decoded with surrogateescape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@contextlib.contextmanager
def form_errors() -> Iterator[None]:
    """aiohttp's multipart parser raises ValueError or a parser error on a broken form: a 400."""
    try:
        yield
    except (ValueError, HttpProcessingError):
        raise ApiError(
            400, "the body is not a valid multipart/form-data form", code="invalid_multipart"
        ) from None


async def read_model(request: web.Request, model: type[M], limit: int | None = None) -> M:
    """Parse and validate a JSON body into a pydantic model with clear errors."""
    data = await read_json(request, limit)
    return validate(model, data)


def validate(model: type[M], data: Any) -> M:
    """Validate data into a model; the first problem becomes a 400 naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        param, message = first_problem(error)
        text = f"{param}: {message}" if param else message
        raise ApiError(400, text, param=param) from None


def first_problem(error: ValidationError) -> tuple[str | None, str]:
    """The field (dotted path) and a short message for the first validation error."""
    first = error.errors()[0]
    param = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "field required"
    return param, message


def source_app(request: web.Request) -> str | None:
    """The application the text is for, when the desktop agent tells us (for history)."""
    # Checked (UTF-8, printable) by the boundary middleware before any work is done.
    value = request.headers.get(SOURCE_APP_HEADER, "").strip()
    return value[:200] or None
