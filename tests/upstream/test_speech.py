"""Clinic mode for speech: a workstation daemon whose transcriptions and dictations go to
faster-whisper-server (the embedded Whisper model) behind pinned TLS in another network
namespace; the limits, checks and text rules of this machine still apply."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import aiohttp
import pytest
from openai import APIStatusError, OpenAI

from tests.server.test_dictation_ws import pcm16, stream
from tests.support.daemon import RunningDaemon, health, sottovoce, wait_for
from tests.support.speech import speak, words
from tests.upstream.conftest import MAX_UPLOAD_BYTES, REPLACEMENTS, start_speech_workstation
from tests.upstream.support import (
    SPEECH_ALIAS,
    Certificate,
    PracticeNetwork,
    PracticeSpeechServer,
    recording_server,
)
from tests.upstream.test_clinic import audit_records

SENTENCE = "The patient reports chest pain and shortness of breath since Monday."


def spoken(text: str) -> list[str]:
    """The words of a transcript, the replacement undone."""
    return words(text.replace(REPLACEMENTS["chest pain"], "chest pain"))


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(SENTENCE, tmp_path_factory.mktemp("speech") / "sentence.wav")


def client_of(daemon: RunningDaemon) -> OpenAI:
    return OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0)


def upstream_of(server: PracticeSpeechServer) -> dict[str, str]:
    return {"answered_by": "upstream", "server": f"{server.network.upstream}:{server.port}"}


async def post_audio(
    daemon: RunningDaemon, data: bytes, **fields: str
) -> tuple[int, dict[str, str], str]:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename="audio.wav", content_type="audio/wav")
    for name, value in fields.items():
        form.add_field(name, value)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            daemon.base_url + "/v1/audio/transcriptions", data=form, headers=daemon.headers
        ) as response,
    ):
        return response.status, dict(response.headers), await response.text()


def test_a_transcription_is_answered_by_the_practice_server(
    speech_workstation: RunningDaemon, speech_server: PracticeSpeechServer, wav: Path
) -> None:
    before = speech_server.requests_logged()
    with client_of(speech_workstation) as client, wav.open("rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-1", file=audio)
    # The replacement rule ran here, on the server's text.
    assert REPLACEMENTS["chest pain"] in result.text
    assert spoken(result.text) == words(SENTENCE)
    assert (result.model_extra or {})["sottovoce"] == upstream_of(speech_server)
    assert speech_server.requests_logged() == before + 1


@pytest.mark.parametrize("response_format", ["text", "srt", "vtt", "verbose_json"])
async def test_every_response_format_is_rendered_from_the_upstream_answer(
    speech_workstation: RunningDaemon, wav: Path, response_format: str
) -> None:
    # faster-whisper-server itself answers only json and verbose_json.
    data = await asyncio.to_thread(wav.read_bytes)
    status, headers, body = await post_audio(
        speech_workstation, data, response_format=response_format, language="en"
    )
    assert status == 200, body
    assert headers["X-Sottovoce-Answered-By"] == "upstream"
    assert "Monday" in body
    if response_format in ("text", "verbose_json"):  # as locally: subtitles keep the words
        assert REPLACEMENTS["chest pain"] in body
    if response_format == "srt":
        assert body.startswith("1\n00:00:00,000 --> ")
    if response_format == "vtt":
        assert body.startswith("WEBVTT")
    if response_format == "verbose_json":
        answer = json.loads(body)
        assert answer["language"] == "en" and answer["segments"]
        assert answer["sottovoce"]["answered_by"] == "upstream"


async def test_invalid_audio_is_refused_before_anything_is_sent(
    speech_workstation: RunningDaemon, speech_server: PracticeSpeechServer
) -> None:
    before, audited = speech_server.requests_logged(), len(audit_records(speech_workstation))
    status, _, body = await post_audio(speech_workstation, b"RIFF....not audio at all")
    assert status == 400, body
    assert "could not be decoded" in json.loads(body)["error"]["message"]
    assert speech_server.requests_logged() == before
    assert len(audit_records(speech_workstation)) == audited


async def test_an_upload_over_the_limit_is_refused_before_anything_is_sent(
    speech_workstation: RunningDaemon, speech_server: PracticeSpeechServer, wav: Path
) -> None:
    before, audited = speech_server.requests_logged(), len(audit_records(speech_workstation))
    data = await asyncio.to_thread(wav.read_bytes)
    status, _, body = await post_audio(
        speech_workstation, data * (MAX_UPLOAD_BYTES // len(data) + 1)
    )
    assert status == 413, body
    assert speech_server.requests_logged() == before
    assert len(audit_records(speech_workstation)) == audited


async def test_dictation_is_sent_on_release_and_its_text_rules_run_here(
    speech_workstation: RunningDaemon, speech_server: PracticeSpeechServer, wav: Path
) -> None:
    sent = speech_server.requests_logged()
    before_stop, after_stop = await stream(speech_workstation, pcm16(wav), realtime=False)
    events = before_stop + after_stop
    # No partials: the server has only a file endpoint.
    assert [e["type"] for e in events] == ["ready", "final"]
    final = events[1]
    assert REPLACEMENTS["chest pain"] in final["text"]
    assert spoken(final["text"]) == words(SENTENCE)
    assert final["sottovoce"] == upstream_of(speech_server)
    assert final["history"] == "recorded"
    assert speech_server.requests_logged() == sent + 1


def test_every_speech_request_is_audited_without_content(
    speech_workstation: RunningDaemon, wav: Path
) -> None:
    before = len(audit_records(speech_workstation))
    with client_of(speech_workstation) as client:
        for _ in range(2):
            with wav.open("rb") as audio:
                client.audio.transcriptions.create(model="whisper-1", file=audio)
    records = audit_records(speech_workstation)
    new = records[: len(records) - before]
    assert len(new) == 2
    for record in new:
        assert record.engine == "speech" and record.model == SPEECH_ALIAS
        assert record.endpoint == "/v1/audio/transcriptions"
        assert record.outcome == "ok" and record.status == 200
        assert record.bytes_sent > wav.stat().st_size // 2 and record.bytes_received > 0
        assert "Monday" not in json.dumps(record.__dict__).lower()


async def test_health_models_and_doctor_name_the_speech_server(
    speech_workstation: RunningDaemon, speech_server: PracticeSpeechServer, certificate: Certificate
) -> None:
    state = health(speech_workstation)["upstream"]
    assert isinstance(state, dict) and set(state) == {"speech"}
    speech = state["speech"]
    assert speech["url"] == speech_server.url and speech["pin"] == certificate.spki_pin
    assert speech["state"] == "ok" and speech["answered_by"]["upstream"] >= 1
    assert speech["door"] == [f"{speech_server.network.upstream} port {speech_server.port}"]
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            speech_workstation.base_url + "/v1/models", headers=speech_workstation.headers
        ) as response,
    ):
        listed = {m["id"]: m for m in (await response.json())["data"]}
    assert listed[SPEECH_ALIAS]["kind"] == "speech"
    assert (
        listed[SPEECH_ALIAS]["owned_by"]
        == f"upstream-{speech['door'][0].split()[0]}:{speech_server.port}"
    )
    done = sottovoce("doctor", "--json", home=speech_workstation.home)
    checks = json.loads(done.stdout)["checks"]
    assert [c["name"] for c in checks[:2]] == ["upstream", "upstream_speech"]
    assert checks[1]["status"] == "ok", checks[1]
    assert speech_server.url in checks[1]["detail"]
    assert certificate.spki_pin in checks[1]["detail"]


def test_a_pin_mismatch_sends_not_one_byte_of_audio(
    network: PracticeNetwork, certificate: Certificate, wav: Path, tmp_path: Path
) -> None:
    from daemon.upstream.selfsigned import make_certificate

    impostor = make_certificate(tmp_path / "tls", "impostor", [network.host])
    with recording_server(network.host, impostor) as fake:
        url = f"https://{network.host}:{fake.port}/v1"
        daemon = start_speech_workstation(tmp_path / "home", url, certificate.spki_pin)
        try:
            with (
                client_of(daemon) as client,
                wav.open("rb") as audio,
                pytest.raises(APIStatusError) as refused,
            ):
                client.audio.transcriptions.create(model="whisper-1", file=audio)
            wait_for(lambda: fake.connections_ended >= 1)
            doctor = sottovoce("doctor", "--json", home=daemon.home)
            records = audit_records(daemon)
        finally:
            assert daemon.stop() == 0, daemon.log()
    assert refused.value.status_code == 503
    assert "does not match the configured pin" in str(refused.value)
    assert fake.handshakes >= 1 and fake.received == b""
    assert [(r.engine, r.outcome, r.bytes_sent) for r in records] == [("speech", "pin_mismatch", 0)]
    check = json.loads(doctor.stdout)["checks"][1]
    assert doctor.returncode == 1
    assert check["name"] == "upstream_speech" and check["status"] == "fail"
    assert "PIN MISMATCH" in check["detail"]
