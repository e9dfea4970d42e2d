"""Issue 12, against real daemons: errors by cause, one wording of "not installed", the
configured speech options and duration limit on uploads, and a huge number in a rewrite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from openai import APIStatusError, BadRequestError, NotFoundError, OpenAI

from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from tests.support.daemon import RunningDaemon, sottovoce, start_daemon, write_config
from tests.support.speech import speak, words

SENTENCE = "The patient denies chest pain and shortness of breath."
NOT_INSTALLED = "is not installed (installed: "
FIX = "add one with `sottovoce models add PATH`"


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[OpenAI]:
    with OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as client:
        yield client


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(SENTENCE, tmp_path_factory.mktemp("audio") / "sentence.wav")


async def test_not_installed_reads_the_same_on_every_route(
    daemon: RunningDaemon, client: OpenAI, spoken: Path
) -> None:
    messages: list[str] = []
    with spoken.open("rb") as audio, pytest.raises(NotFoundError) as speech:
        client.audio.transcriptions.create(model="whisper-huge", file=audio)
    messages.append(speech.value.message)
    with pytest.raises(NotFoundError) as chat:
        client.chat.completions.create(
            model="gpt-5", messages=[{"role": "user", "content": "hi"}], max_tokens=2
        )
    messages.append(chat.value.message)
    async with (
        aiohttp.ClientSession(headers=daemon.headers) as session,
        session.post(daemon.base_url + "/v1/defaults", json={"llm_model": "gpt-6"}) as response,
    ):
        assert response.status == 404
        error = (await response.json())["error"]
        assert error["param"] == "llm_model" and error["code"] == "model_not_found"
        messages.append(error["message"])
    for message, name in zip(messages, ("whisper-huge", "gpt-5", "gpt-6"), strict=True):
        assert f"model {name!r} {NOT_INSTALLED}" in message and message.endswith(FIX), message


async def test_an_unknown_preset_is_400_unknown_preset_everywhere(daemon: RunningDaemon) -> None:
    async with aiohttp.ClientSession(headers=daemon.headers) as session:
        for url, body in (
            ("/v1/rewrite", {"text": "no fever", "preset": "shakespeare"}),
            ("/v1/rewrite", {"text": "no fever", "preset": "shakespeare", "stream": True}),
            ("/v1/defaults", {"rewrite_preset": "shakespeare"}),
        ):
            async with session.post(daemon.base_url + url, json=body) as response:
                assert response.status == 400, url
                error = (await response.json())["error"]
                assert error["code"] == "unknown_preset"
                assert "unknown preset 'shakespeare' (available: " in error["message"]


def test_a_speech_model_that_fails_to_load_is_503_naming_it_and_the_fix(
    daemon: RunningDaemon, client: OpenAI, spoken: Path, tmp_path: Path
) -> None:
    tiny = ModelRegistry(Paths.from_env({"SOTTOVOCE_HOME": str(daemon.home)})).resolve(
        "speech", "whisper-tiny.en"
    )
    broken = tmp_path / "broken-whisper"
    shutil.copytree(tiny.path, broken)
    model_bin = broken / "model.bin"
    model_bin.write_bytes(model_bin.read_bytes()[: 1 << 20])
    added = sottovoce("models", "add", str(broken), "--name", "broken-whisper", home=daemon.home)
    assert added.returncode == 0, added.stderr
    try:
        with spoken.open("rb") as audio, pytest.raises(APIStatusError) as refused:
            client.audio.transcriptions.create(model="broken-whisper", file=audio)
        assert refused.value.status_code == 503
        assert refused.value.code == "model_unavailable"
        message = refused.value.message
        assert "'broken-whisper' could not be loaded" in message
        assert "sottovoce models remove broken-whisper" in message
        with spoken.open("rb") as audio:  # and the daemon keeps serving
            assert words(client.audio.transcriptions.create(model="whisper-1", file=audio).text)
    finally:
        sottovoce("models", "remove", "broken-whisper", home=daemon.home)


CONFIG = """
[speech]
language = "fr"
beam_size = 3
max_audio_seconds = 2

[llm]
max_tokens = 16
context_size = 8192
"""


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDaemon]:
    home = tmp_path_factory.mktemp("configured") / "home"
    write_config(home, CONFIG)
    running = start_daemon(home)
    yield running
    assert running.stop() == 0


def test_uploads_use_the_configured_language(configured: RunningDaemon, tmp_path: Path) -> None:
    short = speak("Good morning.", tmp_path / "short.wav")
    with (
        OpenAI(base_url=configured.base_url + "/v1", api_key=configured.token) as api,
        short.open("rb") as audio,
    ):
        forced = api.audio.transcriptions.create(
            model="whisper-1", file=audio, response_format="verbose_json"
        )
        assert forced.language in ("fr", "french")
        with short.open("rb") as again:  # the request's own choice still wins
            chosen = api.audio.transcriptions.create(
                model="whisper-1", file=again, response_format="verbose_json", language="en"
            )
        assert chosen.language in ("en", "english")


def test_an_upload_over_the_configured_length_is_refused(
    configured: RunningDaemon, spoken: Path
) -> None:
    with (
        OpenAI(base_url=configured.base_url + "/v1", api_key=configured.token) as api,
        spoken.open("rb") as audio,
        pytest.raises(BadRequestError) as refused,
    ):
        api.audio.transcriptions.create(model="whisper-1", file=audio)
    assert refused.value.code == "invalid_audio"
    assert "longer than the limit of 0.0333333 minutes" in refused.value.message


async def test_a_number_of_4400_digits_is_rewritten_and_checked(configured: RunningDaemon) -> None:
    huge = "7" * 4400  # int() refuses more than 4,300 digits
    text = f"Give the {huge}th dose."  # int() refused it: a 500
    async with (
        aiohttp.ClientSession(headers=configured.headers) as session,
        session.post(
            configured.base_url + "/v1/rewrite", json={"text": text, "preset": "proofread"}
        ) as response,
    ):
        assert response.status == 200, await response.text()
        fidelity = (await response.json())["fidelity"]
    assert isinstance(fidelity["ok"], bool)
    assert all(isinstance(label, str) for label in fidelity["missing"] + fidelity["added"])
