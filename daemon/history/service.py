"""The daemon's handle on the history: open at start, record and read off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal, TypeVar

from daemon.config import HistorySettings
from daemon.errors import HistoryError
from daemon.history.keys import load_key
from daemon.history.models import NewEntry
from daemon.history.store import HistoryStore
from daemon.paths import Paths

log = logging.getLogger(__name__)

T = TypeVar("T")
PURGE_INTERVAL_S = 3600
#: What became of one entry: stored, not stored because history is off or
#: unavailable since the start, or not stored because the write failed.
Recorded = Literal["recorded", "off", "not_recorded"]


def open_store(settings: HistorySettings, paths: Paths) -> HistoryStore:
    """Find the key and open (or create) the encrypted database."""
    paths.ensure()
    key = load_key(
        settings.key_source,
        paths.key_file,
        settings.passphrase_env,
        db_exists=paths.history_db.exists(),
    )
    return HistoryStore.open(paths.history_db, key)


class History:
    """Recording never fails a request but says whether it stored the entry; reading
    raises HistoryError when unavailable."""

    def __init__(
        self, settings: HistorySettings, store: HistoryStore | None, error: str | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.error = error
        # Why the last write failed (a full disk); None once a write succeeds again.
        self.write_error: str | None = None

    async def async_record(self, entry: NewEntry) -> Recorded:
        """Store one entry in a worker thread; a failure is logged and answered, not raised.

        Shielded: a caller cancelled meanwhile (its client left) does not lose the entry.
        """
        if self.store is None:
            return "off" if not self.settings.enabled else "not_recorded"
        return await asyncio.shield(self._add(self.store, entry))

    async def _add(self, store: HistoryStore, entry: NewEntry) -> Recorded:
        try:
            await asyncio.to_thread(store.add, entry)
        except HistoryError as error:
            if self.write_error is None:
                log.error("history degraded, entries are not stored: %s", error)
            self.write_error = str(error)
            return "not_recorded"
        if self.write_error is not None:
            log.info("history recovered: entries are stored again")
            self.write_error = None
        return "recorded"

    async def async_run(self, operation: Callable[[HistoryStore], T]) -> T:
        """Run `operation(store)` in a worker thread; HistoryError when there is no store."""
        store = self.store
        if store is None:
            raise HistoryError(self.error or "history is turned off (history.enabled = false)")
        return await asyncio.to_thread(operation, store)

    async def async_purge_forever(self) -> None:
        """Delete expired entries now and then every hour."""
        while self.store is not None and self.settings.retention_days > 0:
            try:
                removed = await asyncio.to_thread(
                    self.store.purge_expired, self.settings.retention_days
                )
                if removed:
                    log.info("retention: deleted %d expired history entries", removed)
            except HistoryError as error:
                log.error("retention purge failed: %s", error)
            await asyncio.sleep(PURGE_INTERVAL_S)

    def status(self) -> dict[str, object]:
        """History state for /v1/health and doctor."""
        state = "off" if not self.settings.enabled else ("open" if self.store else "error")
        if state == "open" and self.write_error is not None:
            state = "degraded"
        status: dict[str, object] = {
            "state": state,
            "retention_days": self.settings.retention_days,
        }
        if self.error or self.write_error:
            status["error"] = self.error or self.write_error
        return status
