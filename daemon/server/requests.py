"""Reading request bodies safely: JSON only as application/json, and bounded."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from daemon.protocol import SOURCE_APP_HEADER
from daemon.server.errors import ApiError
from daemon.server.keys import SETTINGS

M = TypeVar("M", bound=BaseModel)


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
    body = b"".join(chunks)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(400, f"the body is not valid JSON ({error.__class__.__name__})") from None


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
    value = request.headers.get(SOURCE_APP_HEADER, "").strip()
    return value[:200] or None
