"""Small helpers shared by the history tests."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import sqlcipher3

from daemon.history import HistoryKey, NewEntry


def raw_connection(path: Path, key: HistoryKey) -> Any:
    """A plain SQLCipher connection, for checks the store does not expose."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = {key.pragma_value()}")
    return connection


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file in `folder` with the SHA-256 of its bytes."""
    return {
        item.name: hashlib.sha256(item.read_bytes()).hexdigest()
        for item in sorted(folder.iterdir())
        if item.is_file()
    }


def note(text: str, source: str = "dictated words", **fields: Any) -> NewEntry:
    """A rewrite entry with `source` as its input and `text` as its output."""
    return NewEntry(kind="rewrite", output_text=text, input_text=source, **fields)


class MemorySecretStore:
    """An OS-secret-store stand-in that lives in memory, so no test touches the user's."""

    priority = 5.0

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password
