"""The practice's speech server gone: the workstation says so clearly and keeps serving
(fallback "error"), or its own Whisper model answers and says so (fallback "local")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import APIStatusError

from tests.support.daemon import health
from tests.support.speech import speak, words
from tests.upstream.conftest import start_speech_workstation
from tests.upstream.support import Certificate, PracticeNetwork, PracticeSpeechServer
from tests.upstream.test_clinic import audit_records
from tests.upstream.test_speech import client_of

SENTENCE = "Blood pressure was normal this morning."


@pytest.fixture
def doomed(
    network: PracticeNetwork, certificate: Certificate, tmp_path: Path
) -> Iterator[PracticeSpeechServer]:
    """A second practice speech server, ours to stop."""
    log = tmp_path / "speech-server.log"
    server = PracticeSpeechServer(network, certificate, log, port=8446).start()
    yield server
    server.kill()


def test_a_stopped_speech_server_is_a_clear_error_or_the_local_model(
    doomed: PracticeSpeechServer, certificate: Certificate, tmp_path: Path
) -> None:
    audio = ("sentence.wav", speak(SENTENCE, tmp_path / "sentence.wav").read_bytes())
    strict = start_speech_workstation(tmp_path / "strict", doomed.url, certificate.spki_pin)
    lenient = start_speech_workstation(
        tmp_path / "lenient", doomed.url, certificate.spki_pin, "local"
    )
    try:
        with client_of(strict) as one, client_of(lenient) as other:
            first = [
                c.audio.transcriptions.create(model="whisper-1", file=audio) for c in (one, other)
            ]
            doomed.kill()
            with pytest.raises(APIStatusError) as refused:
                one.audio.transcriptions.create(model="whisper-1", file=audio)
            state = health(strict)["upstream"]
            local = other.audio.transcriptions.create(model="whisper-1", file=audio)
            # Still serving: the next request gets the same clear answer, not a hang.
            with pytest.raises(APIStatusError) as again:
                one.audio.transcriptions.create(model="whisper-1", file=audio)
        strict_records, lenient_records = audit_records(strict), audit_records(lenient)
    finally:
        assert strict.stop() == 0, strict.log()
        assert lenient.stop() == 0, lenient.log()
    assert [(r.model_extra or {})["sottovoce"]["answered_by"] for r in first] == ["upstream"] * 2
    assert refused.value.status_code == again.value.status_code == 503
    assert "cannot be reached" in str(refused.value)
    assert isinstance(state, dict) and state["speech"]["state"] == "unreachable"
    assert (local.model_extra or {})["sottovoce"] == {"answered_by": "local"}
    assert words(local.text) == words(SENTENCE)
    assert [r.outcome for r in reversed(strict_records)] == ["ok", "unreachable", "unreachable"]
    assert [r.outcome for r in reversed(lenient_records)] == ["ok", "unreachable"]
