"""Encrypted history of transcriptions and rewrites (SQLCipher 4), with an audit trail."""

from daemon.history.keys import HistoryKey, KeySource, load_key
from daemon.history.models import AuditRecord, Entry, Kind, NewEntry
from daemon.history.store import HistoryStore

__all__ = [
    "AuditRecord",
    "Entry",
    "HistoryKey",
    "HistoryStore",
    "KeySource",
    "Kind",
    "NewEntry",
    "load_key",
]
