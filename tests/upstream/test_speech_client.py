"""The speech upstream engine against a small real server on loopback: the form it
sends (OpenAI's fields, the audio as WAV), the local filters on what comes back, and a
429 that stays a 429."""

from __future__ import annotations

import email.parser
import io
import json
import socket
import threading
import wave

import numpy as np
import pytest

from daemon.sandbox.media import InProcessDecoder
from daemon.speech.types import TranscribeOptions
from daemon.upstream.audit import UpstreamRecord
from daemon.upstream.client import UpstreamClient
from daemon.upstream.errors import UpstreamBusyError
from daemon.upstream.settings import UpstreamEngineSettings
from daemon.upstream.speech import UpstreamSpeechEngine
from tests.upstream.test_client import _Canned, canned

__all__ = ["canned"]  # the fixture, shared with the LLM client's tests

AUDIO = (np.sin(np.arange(16000) / 5.0) * 0.3).astype(np.float32)  # one second
ANSWER = {
    "task": "transcribe",
    "language": "en",
    "duration": 1.0,
    "text": " Pain since Monday. Thank you.",
    "segments": [
        {"id": 0, "start": 0.0, "end": 0.6, "text": " Pain since Monday.",
         "avg_logprob": -0.2, "no_speech_prob": 0.05, "compression_ratio": 1.0},
        # Whisper's subtitle habit over silence: dropped here, as a local transcript's is.
        {"id": 1, "start": 0.6, "end": 1.0, "text": " Thank you.",
         "avg_logprob": -0.9, "no_speech_prob": 0.7, "compression_ratio": 1.0},
    ],
}  # fmt: skip


def _engine(port: int, records: list[UpstreamRecord]) -> UpstreamSpeechEngine:
    settings = UpstreamEngineSettings(
        url=f"http://127.0.0.1:{port}/v1", model="whisper-x", timeout_seconds=10
    )
    client = UpstreamClient(
        "speech", settings, [(socket.AF_INET, "127.0.0.1")], None, records.append
    )
    return UpstreamSpeechEngine(client, "whisper-x", None, InProcessDecoder())


def _form(headers: dict[str, str], body: bytes) -> dict[str, bytes]:
    head = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(head + body)
    return {
        str(part.get_param("name", header="content-disposition")): part.get_payload(decode=True)
        for part in message.get_payload()  # type: ignore[union-attr]
    }


def test_the_form_has_openai_fields_and_the_filters_run_here(
    canned: tuple[type[_Canned], int],
) -> None:
    handler, port = canned
    handler.body = json.dumps(ANSWER).encode()
    records: list[UpstreamRecord] = []
    options = TranscribeOptions(language="en", prompt="Metformin.", temperature=0.2)
    transcript = _engine(port, records).transcribe(AUDIO, options)
    assert transcript.text == "Pain since Monday."
    assert transcript.answered_by == {"answered_by": "upstream", "server": f"127.0.0.1:{port}"}
    form = _form(handler.seen[0], handler.bodies[0])
    assert form["model"] == b"whisper-x" and form["response_format"] == b"verbose_json"
    assert form["language"] == b"en" and form["prompt"] == b"Metformin."
    assert form["temperature"] == b"0.2"
    with wave.open(io.BytesIO(form["file"])) as sent:
        assert (sent.getframerate(), sent.getnchannels(), sent.getnframes()) == (16000, 1, 16000)
    assert [(r.engine, r.endpoint, r.outcome) for r in records] == [
        ("speech", "/v1/audio/transcriptions", "ok")
    ]
    assert records[0].bytes_sent > 32000  # the audio, as 16-bit samples


def test_a_429_stays_a_429_with_its_retry_after(canned: tuple[type[_Canned], int]) -> None:
    handler, port = canned
    handler.status, handler.headers_out = 429, {"Retry-After": "4"}
    with pytest.raises(UpstreamBusyError) as busy:
        _engine(port, []).transcribe(AUDIO, TranscribeOptions())
    assert busy.value.retry_after == 4


def test_an_upload_whose_client_left_during_decoding_is_not_sent(
    canned: tuple[type[_Canned], int],
) -> None:
    handler, port = canned
    handler.body = json.dumps(ANSWER).encode()
    records: list[UpstreamRecord] = []
    engine = _engine(port, records)
    wav = io.BytesIO()
    with wave.open(wav, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes((AUDIO * 32767).astype("<i2").tobytes())
    left = threading.Event()
    left.set()
    transcript = engine.transcribe_file(wav.getvalue(), TranscribeOptions(), 60, left)
    assert transcript.text == "" and transcript.duration == 1.0
    assert handler.bodies == [] and records == []
    # The same upload from a client that stays is sent.
    assert engine.transcribe_file(wav.getvalue(), TranscribeOptions(), 60).text
    assert len(handler.bodies) == 1
