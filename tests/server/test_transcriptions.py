"""The official openai client transcribes through our API with every response format."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from openai import NotFoundError, OpenAI

from daemon.assets import asset_path
from tests.support.daemon import RunningDaemon, leave_once_busy, wait_for
from tests.support.speech import ALSA_SOUNDS, speak, words

CANCELLED = "transcription cancelled at"
SENTENCE = "The patient denies chest pain and shortness of breath."


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(SENTENCE, tmp_path_factory.mktemp("audio") / "sentence.wav")


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[OpenAI]:
    with OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as client:
        yield client


def test_json_transcribes_the_spoken_sentence(client: OpenAI, spoken: Path) -> None:
    with spoken.open("rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-1", file=audio)
    assert words(result.text) == words(SENTENCE)


def test_text_format_is_plain_text(client: OpenAI, spoken: Path) -> None:
    with spoken.open("rb") as audio:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=audio, response_format="text"
        )
    assert isinstance(result, str)
    assert words(result) == words(SENTENCE)


def test_verbose_json_has_segments_and_language(client: OpenAI, spoken: Path) -> None:
    with spoken.open("rb") as audio:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=audio, response_format="verbose_json", language="en"
        )
    assert result.language == "en"
    assert result.duration == pytest.approx(3.5, abs=2.0)
    assert result.segments and result.segments[0].start >= 0.0
    assert words(" ".join(s.text for s in result.segments)) == words(SENTENCE)


@pytest.mark.parametrize("fmt, header", [("srt", "1\n00:00:0"), ("vtt", "WEBVTT\n\n00:00:0")])
def test_subtitle_formats(client: OpenAI, spoken: Path, fmt: str, header: str) -> None:
    with spoken.open("rb") as audio:
        result = client.audio.transcriptions.create(
            model="whisper-1",
            file=audio,
            response_format=fmt,  # type: ignore[arg-type]
        )
    assert isinstance(result, str)
    assert result.startswith(header)
    assert " --> " in result
    assert "denies chest pain" in result.lower()


def test_real_recorded_speech_front_left(client: OpenAI) -> None:
    with (ALSA_SOUNDS / "Front_Left.wav").open("rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-1", file=audio)
    assert words(result.text) == ["front", "left"]


def test_noise_gives_empty_text(client: OpenAI) -> None:
    with (ALSA_SOUNDS / "Noise.wav").open("rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-1", file=audio)
    assert result.text == ""


def test_silence_gives_empty_text(client: OpenAI, tmp_path: Path) -> None:
    import subprocess

    silence = tmp_path / "silence.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(silence), "trim", "0", "5"], check=True
    )
    with silence.open("rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-1", file=audio)
    assert result.text == ""


def test_named_installed_model_is_used(client: OpenAI) -> None:
    with (ALSA_SOUNDS / "Front_Right.wav").open("rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-tiny.en", file=audio)
    assert words(result.text) == ["front", "right"]


def test_compressed_formats_decode(client: OpenAI, spoken: Path, tmp_path: Path) -> None:
    import subprocess

    for suffix in ("flac", "ogg", "mp3"):
        encoded = tmp_path / f"sentence.{suffix}"
        result = subprocess.run(["sox", str(spoken), str(encoded)], capture_output=True)
        if result.returncode != 0 and suffix == "mp3":
            continue  # sox without an mp3 encoder; flac and ogg still cover compressed input
        assert result.returncode == 0, result.stderr
        with encoded.open("rb") as audio:
            text = client.audio.transcriptions.create(model="whisper-1", file=audio).text
        assert "chest pain" in text.lower(), suffix


def test_unknown_model_is_404_naming_installed_models(client: OpenAI, spoken: Path) -> None:
    with spoken.open("rb") as audio, pytest.raises(NotFoundError) as caught:
        client.audio.transcriptions.create(model="whisper-large-v9", file=audio)
    message = caught.value.body["message"]  # type: ignore[index]
    assert "whisper-large-v9" in message and "whisper-base" in message


@pytest.fixture
def two_minutes(tmp_path: Path) -> bytes:
    long_audio = tmp_path / "two-minutes.flac"
    forty = str(asset_path("speech", "dictation-40s.flac"))
    subprocess.run(["sox", forty, forty, forty, str(long_audio)], check=True)
    return long_audio.read_bytes()


async def test_a_client_that_leaves_stops_its_transcription(
    daemon: RunningDaemon, two_minutes: bytes
) -> None:
    cancelled = daemon.log().count(CANCELLED)
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(two_minutes), filename="long.flac")
    async with aiohttp.ClientSession() as session:
        post = session.post(
            daemon.base_url + "/v1/audio/transcriptions", data=form, headers=daemon.headers
        )
        await leave_once_busy(daemon, "speech", post)
    wait_for(lambda: daemon.log().count(CANCELLED) > cancelled, timeout=60)
    line = [line for line in daemon.log().splitlines() if CANCELLED in line][cancelled]
    match = re.search(r"cancelled at (\d+) s", line)
    assert match is not None and int(match.group(1)) < 100
