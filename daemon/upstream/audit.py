"""One audit record per request sent to the upstream: when, which engine and model,
how many bytes went each way and how it ended. Never any content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger(__name__)

Outcome = Literal["ok", "http_error", "unreachable", "pin_mismatch", "lost", "cancelled"]


@dataclass(frozen=True)
class UpstreamRecord:
    """What the audit trail keeps of one upstream request."""

    created_at: float
    engine: str  # "llm" or "speech"
    model: str
    endpoint: str  # the API path, e.g. /v1/chat/completions
    outcome: Outcome
    status: int | None  # the HTTP status, when one came back
    bytes_sent: int
    bytes_received: int


Recorder = Callable[[UpstreamRecord], None]


def log_only(record: UpstreamRecord) -> None:
    """The recorder when the history (which holds the audit trail) is off."""
    log.info(
        "upstream request: %s %s %s %s sent=%d received=%d",
        record.engine,
        record.model,
        record.endpoint,
        record.outcome,
        record.bytes_sent,
        record.bytes_received,
    )
