"""Typed records of the history: what the daemon stores, what it reads back, who looked.

Text fields, and the source app (it may be a window title), stay out of `repr()`,
so that logging a record by mistake never puts a patient's words into a log file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Kind = Literal["transcription", "dictation", "rewrite"]
KINDS: tuple[str, ...] = get_args(Kind)

AuditAction = Literal["read", "list", "search", "export", "delete", "delete_all", "purge"]
AUDIT_ACTIONS: tuple[str, ...] = get_args(AuditAction)


@dataclass(frozen=True)
class NewEntry:
    """One transcription (API or dictation) or rewrite, as handed to the store."""

    kind: Kind
    output_text: str = field(repr=False)
    input_text: str | None = field(default=None, repr=False)
    audio_seconds: float | None = None
    source_app: str | None = field(default=None, repr=False)
    model: str | None = None
    duration_seconds: float | None = None
    fidelity: Mapping[str, Any] | None = field(default=None, repr=False)
    has_audio: bool = False
    #: Unix time; None means "now". Set explicitly only by imports and tests.
    created_at: float | None = None


@dataclass(frozen=True)
class Entry:
    """One stored history entry."""

    id: int
    created_at: float
    kind: Kind
    output_text: str = field(repr=False)
    input_text: str | None = field(repr=False)
    audio_seconds: float | None
    source_app: str | None = field(repr=False)
    model: str | None
    duration_seconds: float | None
    fidelity: dict[str, Any] | None = field(repr=False)
    has_audio: bool


@dataclass(frozen=True)
class AuditRecord:
    """One access to the history: who did what, when, to which entry or how many."""

    id: int
    created_at: float
    action: AuditAction
    client: str
    entry_id: int | None
    count: int | None
