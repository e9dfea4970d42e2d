"""Which engine answered the model calls of one rewrite (clinic mode): a rewrite makes
one call per piece, and with fallback "local" a server that went away mid-rewrite leaves
some pieces to the local model; the result says so honestly.

The tally lives in a context variable: a rewrite's model calls run in its request's
task (LLMService's coroutines and async generators run in their caller's context), so
concurrent rewrites each count their own, and nothing is threaded through the rewrite
code.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from typing import Any

_current: contextvars.ContextVar[Counter[str] | None] = contextvars.ContextVar(
    "sottovoce_answered_by", default=None
)


def start_tally() -> Counter[str]:
    """A fresh count for the model calls that follow in this task."""
    tally: Counter[str] = Counter()
    _current.set(tally)
    return tally


def note(result: dict[str, Any]) -> None:
    """Count a completion (or a stream's first chunk) that says which engine answered."""
    tally = _current.get()
    marker = result.get("sottovoce")
    if tally is not None and isinstance(marker, dict) and "answered_by" in marker:
        tally[str(marker["answered_by"])] += 1


def summary(tally: Counter[str]) -> dict[str, Any]:
    """`answered_by` ("upstream", "local" or "mixed", with the counts); {} when no call
    said (no clinic mode, or no model call at all)."""
    if not tally:
        return {}
    if len(tally) == 1:
        return {"answered_by": next(iter(tally))}
    return {"answered_by": "mixed", "answered_by_calls": dict(tally)}
