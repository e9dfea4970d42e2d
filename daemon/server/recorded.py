"""How a response says whether its result reached the history."""

from __future__ import annotations

from daemon.history.service import History, Recorded

#: "recorded", "off" or "not_recorded"; the CLI and the agent warn on "not_recorded".
HISTORY_HEADER = "X-Sottovoce-History"
HISTORY_ERROR_HEADER = "X-Sottovoce-History-Error"


def history_headers(history: History, recorded: Recorded) -> dict[str, str]:
    """The headers of a response whose result was (or was not) recorded."""
    headers: dict[str, str] = {HISTORY_HEADER: recorded}
    reason = history.write_error or history.error
    if recorded == "not_recorded" and reason:
        # A header is one line of ASCII.
        headers[HISTORY_ERROR_HEADER] = " ".join(reason.split()).encode("ascii", "replace").decode()
    return headers
