"""GET/DELETE /v1/history: list, search, read and delete encrypted history entries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from daemon.history.models import Entry
from daemon.server.errors import ApiError
from daemon.server.keys import HISTORY

CLIENT = "api"
DEFAULT_PAGE = 50
# One more than asked is read to tell whether another page exists.
MAX_PAGE = 500
MAX_QUERY_CHARS = 500
MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))


def entry_dict(entry: Entry) -> dict[str, Any]:
    """An entry as JSON."""
    return {"object": "history.entry", **asdict(entry)}


def _int_param(
    request: web.Request, name: str, default: int | None, low: int, high: int
) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    value = _decimal(raw)
    if value is None or not low <= value <= high:
        raise ApiError(400, f"{name} must be an integer between {low} and {high}", param=name)
    return value


def _decimal(raw: str) -> int | None:
    """ASCII digits only (int() also takes "+1", " 1", "1_0" and other scripts' digits)."""
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > MAX_ID_DIGITS:
        return None
    return int(raw)


def _entry_id(request: web.Request) -> int:
    raw = request.match_info["entry_id"]
    if raw.startswith("-") and _decimal(raw[1:]) is not None:
        raise ApiError(400, "the entry id must be positive", param="id")
    entry_id = _decimal(raw)
    if entry_id is None or not 1 <= entry_id <= MAX_ID:
        # SQLite ids are 64-bit: a larger one cannot exist (and would overflow the query).
        raise ApiError(400, f"the entry id must be an integer between 1 and {MAX_ID}", param="id")
    return entry_id


async def list_history(request: web.Request) -> web.Response:
    """Newest first, paged with `before=<id>`; `q` searches inputs and outputs."""
    unknown = set(request.query) - {"q", "limit", "before"}
    if unknown:
        raise ApiError(400, f"unknown query parameter {sorted(unknown)[0]!r}")
    limit = _int_param(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE) or DEFAULT_PAGE
    before = _int_param(request, "before", None, 1, MAX_ID)
    query = request.query.get("q")
    history = request.app[HISTORY]
    if query is not None:
        if len(query) > MAX_QUERY_CHARS or not query.strip():
            raise ApiError(400, f"q must be 1 to {MAX_QUERY_CHARS} characters", param="q")
        entries = await history.async_run(
            lambda store: store.search(query, limit + 1, before, client=CLIENT)
        )
    else:
        entries = await history.async_run(
            lambda store: store.list_entries(limit + 1, before, client=CLIENT)
        )
    page = entries[:limit]
    body: dict[str, Any] = {
        "object": "list",
        "data": [entry_dict(e) for e in page],
        "has_more": len(entries) > limit,
    }
    if body["has_more"]:
        body["next_before"] = page[-1].id
    return web.json_response(body)


async def get_entry(request: web.Request) -> web.Response:
    """One entry, or 404."""
    entry_id = _entry_id(request)
    entry = await request.app[HISTORY].async_run(lambda s: s.get(entry_id, client=CLIENT))
    if entry is None:
        raise ApiError(404, "no history entry with this id", param="id")
    return web.json_response(entry_dict(entry))


async def delete_entry(request: web.Request) -> web.Response:
    """Delete one entry, or 404."""
    entry_id = _entry_id(request)
    if not await request.app[HISTORY].async_run(lambda s: s.delete(entry_id, client=CLIENT)):
        raise ApiError(404, "no history entry with this id", param="id")
    return web.json_response({"id": entry_id, "object": "history.entry", "deleted": True})


async def delete_all(request: web.Request) -> web.Response:
    """Delete every entry; needs ?confirm=true."""
    if request.query.get("confirm") != "true":
        raise ApiError(400, "deleting all history needs ?confirm=true", param="confirm")
    deleted = await request.app[HISTORY].async_run(lambda s: s.delete_all(client=CLIENT))
    return web.json_response({"object": "history.deleted", "deleted": deleted})
