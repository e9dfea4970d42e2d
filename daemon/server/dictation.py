"""WS /v1/dictation: stream 16 kHz mono PCM16, receive partial and final transcripts.

Protocol: the client sends {"type": "start", ...} first, then binary PCM16
frames, then {"type": "stop"} (or {"type": "cancel"}). The server answers
{"type": "ready"}, then {"type": "partial", "text"} while audio arrives, and one
{"type": "final", "text", "audio_seconds"} after stop, then closes. Errors are
{"type": "error", "message", "code"} followed by a close.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from aiohttp import WSCloseCode, WSMsgType, web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from daemon.dictation.stream import DictationStream, FinalText
from daemon.errors import SottovoceError
from daemon.history.service import Recorded
from daemon.server.errors import from_domain_error
from daemon.server.keys import TRANSCRIPTION
from daemon.server.requests import first_problem
from daemon.speech.audio import pcm16_to_float
from daemon.transcription import TranscriptionRequest
from daemon.upstream.dictation import BufferedDictation

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0
MAX_FRAME_BYTES = 1 << 20


class StartMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["start"]
    sample_rate: Literal[16000] = 16000
    language: Annotated[str, Field(max_length=3)] | None = None
    model: str | None = None
    vocabulary: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=200)] = []
    prompt: Annotated[str, Field(max_length=1000)] | None = None
    spoken_commands: bool | None = None
    normalize_numbers: bool | None = None
    source_app: Annotated[str, Field(max_length=200)] | None = None


class ProtocolError(SottovoceError):
    """The client broke the dictation protocol."""


async def _send_error(ws: web.WebSocketResponse, message: str, code: str) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):
        await ws.send_json({"type": "error", "message": message, "code": code})
        await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=code.encode())


def _parse_start(message: Any) -> StartMessage:
    if message.type != WSMsgType.TEXT:
        raise ProtocolError("the first message must be a JSON start message")
    try:
        return StartMessage.model_validate_json(message.data)
    except ValidationError as error:
        param, problem = first_problem(error)
        raise ProtocolError(f"invalid start message: {param or 'message'}: {problem}") from None


def _control(data: str) -> str:
    try:
        kind = json.loads(data).get("type")
    except (ValueError, AttributeError):
        raise ProtocolError("text messages must be JSON objects with a type") from None
    if kind not in ("stop", "cancel"):
        raise ProtocolError(f"unknown message type {kind!r}; expected 'stop' or 'cancel'")
    return str(kind)


def _request(start: StartMessage) -> TranscriptionRequest:
    return TranscriptionRequest(
        model=start.model,
        language=start.language,
        prompt=start.prompt,
        vocabulary=start.vocabulary,
        source_app=start.source_app,
    )


def _stream(
    request: web.Request, start: StartMessage, ws: web.WebSocketResponse
) -> DictationStream | BufferedDictation:
    async def on_partial(text: str) -> None:
        if not ws.closed:
            await ws.send_json({"type": "partial", "text": text})

    return request.app[TRANSCRIPTION].stream(
        _request(start), on_partial, start.spoken_commands, start.normalize_numbers
    )


async def dictation(request: web.Request) -> web.WebSocketResponse:
    """Run one dictation over a WebSocket."""
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    stream: DictationStream | BufferedDictation | None = None
    try:
        try:
            first = await ws.receive(timeout=START_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise ProtocolError("no start message within 10 s") from None
        if first.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            return ws
        start = _parse_start(first)
        stream = _stream(request, start, ws)
        stream.start()
        await ws.send_json({"type": "ready"})
        started = time.perf_counter()
        model = stream.model

        async def record(final: FinalText) -> Recorded | None:
            if not final.text:
                return None  # nothing to record
            return await request.app[TRANSCRIPTION].async_record(
                "dictation", final.text, final.audio_seconds, _request(start), model, started
            )

        await _receive_audio(ws, stream, record)
    except SottovoceError as error:
        code = (
            "protocol_error" if isinstance(error, ProtocolError) else from_domain_error(error).code
        )
        await _send_error(ws, str(error), code or "error")
    except ConnectionError:
        log.info("dictation client left")
    except Exception as error:
        # The handshake is done: no HTTP error page can follow, only a close frame.
        log.error("dictation failed: %s", type(error).__name__)
        await _send_error(ws, "internal error; see the daemon log", "internal_error")
    finally:
        if stream is not None:
            await stream.aclose()
    return ws


async def _receive_audio(
    ws: web.WebSocketResponse,
    stream: DictationStream | BufferedDictation,
    record: Callable[[FinalText], Awaitable[Recorded | None]],
) -> None:
    """Feed audio until stop, cancel or a vanished client; on stop, record and send the text.

    The history has the text before the client does: a client that closes the
    connection as soon as it has the text cancels this handler.
    """
    carry = b""  # a PCM16 sample split across two frames
    async for message in ws:
        if message.type == WSMsgType.BINARY:
            data = carry + message.data
            usable = len(data) - len(data) % 2
            carry = data[usable:]
            if usable:
                stream.feed(pcm16_to_float(data[:usable]))
        elif message.type == WSMsgType.TEXT:
            if _control(message.data) == "cancel":
                await ws.send_json({"type": "cancelled"})
                await ws.close()
                return
            final = await stream.finish()
            recorded = await record(final)
            reply = {
                "type": "final",
                "text": final.text,
                "audio_seconds": round(final.audio_seconds, 3),
                "truncated": final.truncated,
                "history": recorded,
            }
            if isinstance(stream, BufferedDictation) and stream.answered_by is not None:
                reply["sottovoce"] = stream.answered_by  # clinic mode: which engine answered
            await ws.send_json(reply)
            await ws.close()
            return
        else:
            break
    log.info("dictation client left before stop")
