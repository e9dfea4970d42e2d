"""Requests to the upstream's OpenAI API, each on its own pinned connection and audited.

A new connection per request: the pin is checked for every request, and nothing of a
previous one can linger. Calls block; they run on the engine pool's thread, as the
local engines do.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from daemon.upstream.audit import Outcome, Recorder, UpstreamRecord
from daemon.upstream.connection import CountedSocket, open_pinned
from daemon.upstream.errors import (
    PinMismatchError,
    UpstreamBusyError,
    UpstreamError,
    UpstreamLostError,
    UpstreamRefusedError,
    UpstreamRequestError,
    UpstreamUnreachableError,
)
from daemon.upstream.multipart import Body, json_body, multipart_body
from daemon.upstream.pin import Pin, parse_pin
from daemon.upstream.settings import UpstreamEngineSettings

log = logging.getLogger(__name__)

_DONE = b"[DONE]"


@dataclass
class UpstreamState:
    """How the upstream answered last, for /v1/health (no content)."""

    state: str = "unknown"  # unknown, ok, unreachable, pin_mismatch, refused, lost
    error: str | None = None
    requests: int = 0
    last_ok_at: float | None = None
    answered_by: dict[str, int] = field(default_factory=lambda: {"upstream": 0, "local": 0})

    def succeeded(self) -> None:
        self.state, self.error, self.last_ok_at = "ok", None, time.time()

    def failed(self, state: str, error: Exception) -> None:
        self.state, self.error = state, str(error)


class UpstreamClient:
    """The practice's server for one engine kind, reached through the guard's door."""

    def __init__(
        self,
        engine: str,
        settings: UpstreamEngineSettings,
        addresses: list[tuple[int, str]],
        api_key: str | None,
        record: Recorder,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.addresses = addresses
        self.pin: Pin | None = parse_pin(settings.pin) if settings.https else None
        self._api_key = api_key
        self._record = record
        self.state = UpstreamState()

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def get_json(self, path: str) -> dict[str, Any]:
        """GET an API path (e.g. /models) and return its JSON."""
        with self._exchange("GET", path, None, "-") as (response, _):
            return _json(response.read(self.settings.max_response_bytes + 1), self.where)

    def post_json(self, path: str, body: dict[str, Any], model: str) -> dict[str, Any]:
        """POST JSON and return the JSON answer."""
        with self._exchange("POST", path, json_body(body), model) as (response, _):
            return _json(response.read(self.settings.max_response_bytes + 1), self.where)

    def post_file(
        self, path: str, fields: dict[str, str], file: tuple[str, bytes, str], model: str
    ) -> dict[str, Any]:
        """POST a multipart form with one file (OpenAI's audio endpoints); its JSON answer."""
        with self._exchange("POST", path, multipart_body(fields, file), model) as (response, _):
            return _json(response.read(self.settings.max_response_bytes + 1), self.where)

    def stream_events(
        self, path: str, body: dict[str, Any], model: str, cancel: threading.Event
    ) -> Generator[dict[str, Any], None, None]:
        """POST with stream: true; yield each SSE event's JSON until [DONE].

        The stream ending without [DONE] raises UpstreamLostError; `cancel` (or closing
        the generator) closes the connection, which stops the server's generation.
        """
        payload = json_body({**body, "stream": True})
        with self._exchange("POST", path, payload, model) as (response, end):
            for line in _lines(response):
                if cancel.is_set():
                    end("cancelled")
                    return
                if not line.startswith(b"data:"):
                    continue
                data = line[5:].strip()
                if data == _DONE:
                    return
                event = _json(data, self.where)
                if "error" in event:
                    raise UpstreamLostError(
                        f"the upstream server {self.where} reported an error mid-answer"
                    )
                yield event
            raise UpstreamLostError(
                f"the upstream server {self.where} stopped in the middle of the answer; "
                "the text so far is incomplete"
            )

    def check_pin(self) -> str:
        """Connect and check the pin only, sending nothing (doctor); the server's pin."""
        connection, counted = open_pinned(
            self.settings.host, self.settings.port, self.addresses, self.pin, 10.0
        )
        connection.close()
        counted.release()
        return str(self.pin) if self.pin else "plain http (loopback)"

    @contextlib.contextmanager
    def _exchange(
        self, method: str, path: str, body: Body | None, model: str
    ) -> Iterator[tuple[http.client.HTTPResponse, Callable[[Outcome], None]]]:
        """One request on a new connection; audited however it ends."""
        endpoint = self.settings.base_path + path
        outcome: list[Outcome] = ["unreachable"]
        status: int | None = None
        counted: CountedSocket | None = None
        connection: http.client.HTTPConnection | None = None
        self.state.requests += 1
        try:
            connection, counted = open_pinned(
                self.settings.host,
                self.settings.port,
                self.addresses,
                self.pin,
                self.settings.timeout_seconds,
            )
            outcome[0] = "lost"
            payload = body.data if body is not None else None
            try:
                connection.request(method, endpoint, payload, self._headers(body))
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                raise UpstreamUnreachableError(
                    f"the upstream server {self.where} did not answer ({type(error).__name__})"
                ) from None
            status = response.status
            if status != 200:
                outcome[0] = "http_error"
                raise _status_error(status, response, self.where, self.engine)
            outcome[0] = "ok"
            yield response, lambda how: outcome.__setitem__(0, how)
            if outcome[0] == "ok":
                self.state.succeeded()
        except PinMismatchError as error:
            outcome[0] = "pin_mismatch"
            self.state.failed("pin_mismatch", error)
            log.error("upstream %s: certificate pin mismatch; nothing was sent", self.where)
            raise
        except (OSError, http.client.HTTPException) as error:
            outcome[0] = "lost"
            lost = UpstreamLostError(
                f"the upstream server {self.where} stopped in the middle of the answer "
                f"({type(error).__name__})"
            )
            self.state.failed("lost", lost)
            raise lost from None
        except UpstreamError as error:
            if outcome[0] == "ok":  # the answer had begun
                outcome[0] = "lost"
            self.state.failed(_state_of(error), error)
            raise
        except GeneratorExit:
            outcome[0] = "cancelled"
            raise
        finally:
            if connection is not None:
                connection.close()
            if counted is not None:
                counted.release()
            self._record(
                UpstreamRecord(
                    created_at=time.time(),
                    engine=self.engine,
                    model=model,
                    endpoint=endpoint,
                    outcome=outcome[0],
                    status=status,
                    bytes_sent=counted.sent if counted else 0,
                    bytes_received=counted.received if counted else 0,
                )
            )

    def _headers(self, body: Body | None) -> dict[str, str]:
        headers = {"Accept": "application/json, text/event-stream"}
        if body is not None:
            headers["Content-Type"] = body.content_type
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers


def _lines(response: http.client.HTTPResponse) -> Iterator[bytes]:
    while True:
        try:
            line = response.readline(1 << 20)
        except http.client.IncompleteRead:
            return  # the caller raises UpstreamLostError: no [DONE] came
        if not line:
            return
        yield line.rstrip(b"\r\n")


def _json(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise UpstreamRefusedError(f"the upstream server {where} did not answer OpenAI's JSON")
    return value


def _status_error(
    status: int, response: http.client.HTTPResponse, where: str, engine: str
) -> Exception:
    response.read(64 * 1024)  # drained, not shown: it may quote the prompt
    if status == 429:
        retry = response.getheader("Retry-After", "1")
        return UpstreamBusyError(
            f"the upstream server {where} is busy (429); retry later",
            int(retry) if retry.isdigit() else 1,
        )
    if status in (400, 404, 413, 422):
        return UpstreamRequestError(
            f"the upstream server {where} refused the request as invalid ({status}); "
            "check the model name and that the prompt fits its context"
        )
    if status in (401, 403):
        return UpstreamRefusedError(
            f"the upstream server {where} refused the API key ({status}); "
            f"check upstream.{engine}.api_key_file or api_key_keyring"
        )
    return UpstreamUnreachableError(f"the upstream server {where} failed ({status})")


def _state_of(error: UpstreamError) -> str:
    if isinstance(error, UpstreamUnreachableError):
        return "unreachable"
    if isinstance(error, UpstreamLostError):
        return "lost"
    return "refused"
