"""POST /v1/audio/transcriptions, OpenAI-compatible multipart."""

from __future__ import annotations

import logging

from aiohttp import BodyPartReader, web

from daemon.server.errors import ApiError
from daemon.server.keys import HISTORY, SETTINGS, TRANSCRIPTION
from daemon.server.recorded import history_headers
from daemon.server.requests import form_errors, source_app
from daemon.speech.formats import RESPONSE_FORMATS, to_srt, to_verbose, to_vtt
from daemon.speech.types import Transcript
from daemon.transcription import TranscriptionRequest

log = logging.getLogger(__name__)

TEXT_FIELDS = frozenset({"model", "language", "prompt", "response_format", "temperature"})
# Sent by OpenAI clients; accepted and ignored where they change nothing here.
IGNORED_FIELDS = frozenset(
    {
        "timestamp_granularities[]",
        "timestamp_granularities",
        "stream",
        "include[]",
        "chunking_strategy",
    }
)
MAX_FIELD_BYTES = 64 * 1024
# Clinic mode: "upstream" or "local", for the formats that are not JSON.
ANSWERED_BY_HEADER = "X-Sottovoce-Answered-By"


async def _read_form(request: web.Request) -> tuple[bytes, dict[str, str]]:
    if request.content_type != "multipart/form-data":
        raise ApiError(415, "the body must be multipart/form-data with a 'file' field")
    limit = request.app[SETTINGS].server.max_upload_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"the upload is over the limit of {limit // (1024 * 1024)} MiB")
    reader = await request.multipart()
    audio: bytes | None = None
    fields: dict[str, str] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise ApiError(400, "nested multipart bodies are not supported")
        name = part.name or ""
        if name == "file":
            audio = await _read_part(part, limit, "the upload")
        elif name in TEXT_FIELDS:
            fields[name] = (await _read_part(part, MAX_FIELD_BYTES, name)).decode(
                "utf-8", "replace"
            )
        elif name in IGNORED_FIELDS:
            await part.release()
        else:
            raise ApiError(400, f"unknown form field {name!r}", param=name)
    if audio is None:
        raise ApiError(400, "the form has no 'file' field with the audio", param="file")
    return audio, fields


async def _read_part(part: BodyPartReader, limit: int, what: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(256 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"{what} is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _request(fields: dict[str, str], source: str | None) -> TranscriptionRequest:
    try:
        temperature = float(fields.get("temperature") or 0.0)
    except ValueError:
        raise ApiError(400, "temperature must be a number", param="temperature") from None
    if not 0.0 <= temperature <= 1.0:
        raise ApiError(400, "temperature must be between 0 and 1", param="temperature")
    language = fields.get("language", "").strip().lower()
    if language and not (language.isalpha() and 2 <= len(language) <= 3):
        raise ApiError(400, "language must be an ISO-639-1 code such as 'en'", param="language")
    return TranscriptionRequest(
        model=fields.get("model"),
        language=language or None,
        prompt=fields.get("prompt") or None,
        temperature=temperature,
        word_timestamps=fields.get("response_format") == "verbose_json",
        source_app=source,
    )


async def transcriptions(request: web.Request) -> web.StreamResponse:
    """Transcribe an uploaded audio file."""
    with form_errors():
        data, fields = await _read_form(request)
    response_format = fields.get("response_format") or "json"
    if response_format not in RESPONSE_FORMATS:
        raise ApiError(
            400,
            f"response_format must be one of {', '.join(RESPONSE_FORMATS)}",
            param="response_format",
        )
    result = await request.app[TRANSCRIPTION].async_transcribe_file(
        data, _request(fields, source_app(request))
    )
    response = render(result.transcript, response_format)
    response.headers.update(history_headers(request.app[HISTORY], result.recorded))
    if result.transcript.answered_by is not None:
        response.headers[ANSWERED_BY_HEADER] = result.transcript.answered_by["answered_by"]
    return response


def render(transcript: Transcript, response_format: str) -> web.Response:
    """The response body in the requested format; JSON ones say which engine answered
    in clinic mode (`sottovoce`, as chat completions do), the others in a header."""
    if response_format in ("json", "verbose_json"):
        body = to_verbose(transcript) if response_format == "verbose_json" else {}
        body.setdefault("text", transcript.text)
        if transcript.answered_by is not None:
            body["sottovoce"] = transcript.answered_by
        return web.json_response(body)
    if response_format == "text":
        return web.Response(text=transcript.text + "\n", content_type="text/plain")
    if response_format == "srt":
        return web.Response(text=to_srt(transcript.segments), content_type="text/plain")
    return web.Response(text=to_vtt(transcript.segments), content_type="text/vtt")
