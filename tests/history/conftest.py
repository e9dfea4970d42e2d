"""Fixtures for the history tests: a fresh key, a database path, an open store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.history import HistoryKey, HistoryStore
from tests.history.helpers import MemorySecretStore


@pytest.fixture
def key() -> HistoryKey:
    return HistoryKey.from_bytes(os.urandom(32))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.db"


@pytest.fixture
def store(db_path: Path, key: HistoryKey) -> Iterator[HistoryStore]:
    opened = HistoryStore.open(db_path, key)
    yield opened
    opened.close()


@pytest.fixture
def secret_store() -> MemorySecretStore:
    return MemorySecretStore()
