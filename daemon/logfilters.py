"""Log filters: no request content from libraries, and no flood of one repeated line."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

# Libraries whose messages and tracebacks may quote what a client sent: aiohttp
# logs the bytes of a malformed request line, header values and chunk lines.
SCRUBBED = ("aiohttp", "asyncio")
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z%]")


class ScrubRequestContent(logging.Filter):
    """Reduce library records to their fixed text and the exception's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(SCRUBBED) or getattr(record, "sottovoce_scrubbed", False):
            return True
        record.sottovoce_scrubbed = True
        template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        text = _PLACEHOLDER.sub("…", template)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__})"
        record.msg = f"{text} [request content not logged]"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class RateLimit(logging.Filter):
    """At most `burst` warnings or errors of one kind (logger and template) per `period`.

    What floods a log is one failure repeated (a client holding sockets, a full disk);
    informational lines, which tests and users follow, are never dropped.
    """

    def __init__(
        self, burst: int = 10, period: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._burst, self._period, self._clock = burst, period, clock
        # kind -> [window start, passed in window, suppressed in window]
        self._kinds: dict[tuple[str, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        # One decision per record, however many handlers share this filter.
        decided = getattr(record, "sottovoce_rate_ok", None)
        if decided is None:
            decided = self._decide(record)
            record.sottovoce_rate_ok = decided
        return bool(decided)

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = (record.name, str(record.msg))
        now = self._clock()
        state = self._kinds.get(kind)
        if state is None or now - state[0] >= self._period:
            if len(self._kinds) > 1000:  # bounded, whatever varies in the templates
                self._kinds.clear()
            suppressed = int(state[2]) if state else 0
            self._kinds[kind] = [now, 1, 0]
            if suppressed:
                record.msg = f"{record.getMessage()} [{suppressed} more like this suppressed]"
                record.args = None
            return True
        if state[1] < self._burst:
            state[1] += 1
            return True
        state[2] += 1
        return False
