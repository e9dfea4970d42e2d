"""Drug names and negations through the real daemon: the clinical prompt and the
lexicon's post-correction on the upload path (the dictation path shares the rules)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faster_whisper import WhisperModel
from openai import OpenAI

from daemon.assets import asset_path
from daemon.config import Settings
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from tests.support.daemon import RunningDaemon, start_daemon, write_config
from tests.support.speech import speak, words

METFORMIN = "She takes metformin 500 milligrams twice daily with meals."
NEGATED = "He is not taking warfarin anymore, and he denies chest pain."
# The test suite's own sentence, which the clinical prompt breaks (measured).
PLAIN = "The patient denies chest pain and shortness of breath."


@pytest.fixture(scope="module")
def clinical_daemon(
    tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    """A daemon with the clinical prompt switched on (it is opt-in)."""
    home = tmp_path_factory.mktemp("clinical-home")
    write_config(home, '[dictation]\nspecialty = "general"\n')
    running = start_daemon(home)
    yield running
    assert running.stop() == 0, running.log()


@pytest.fixture(scope="module")
def festival(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clinical")
    return speak(METFORMIN, folder / "metformin.wav", voice="festival")


def _upload(daemon: RunningDaemon, audio: Path, prompt: str | None = None) -> str:
    with (
        OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as client,
        audio.open("rb") as file,
    ):
        if prompt is None:
            return client.audio.transcriptions.create(model="whisper-1", file=file).text
        return client.audio.transcriptions.create(model="whisper-1", file=file, prompt=prompt).text


def test_whisper_alone_hears_the_drug_as_words(festival: Path) -> None:
    # The control: Whisper base, no prompt, no correction, writes no "metformin".
    path = ModelRegistry(Paths.from_env()).resolve("speech", "whisper-base").path
    model = WhisperModel(str(path), device="cpu", compute_type="int8", local_files_only=True)
    segments, _ = model.transcribe(str(festival), language="en", vad_filter=True)
    assert "metformin" not in words(" ".join(segment.text for segment in segments))


def test_the_post_correction_restores_the_drug_name(daemon: RunningDaemon, festival: Path) -> None:
    # A caller's own prompt replaces the clinical one: only the correction is left to work.
    text = _upload(daemon, festival, prompt="Notes.")
    assert "metformin" in words(text), text
    assert "500" in text and "twice" in words(text), text  # the number is untouched


def test_the_clinical_prompt_hears_drugs_and_negations(
    clinical_daemon: RunningDaemon, tmp_path: Path
) -> None:
    for voice in ("espeak-ng", "festival"):
        text = _upload(clinical_daemon, speak(NEGATED, tmp_path / f"{voice}.wav", voice=voice))
        assert {"not", "warfarin", "denies", "chest", "pain"} <= set(words(text)), (voice, text)


def test_a_recording_longer_than_one_window_is_decoded_without_the_hint(
    daemon: RunningDaemon,
) -> None:
    # With the clinical prompt this 40 s dictation came back with a sentence written twice
    # and an invented number ("The blood pressure is 1,440, and his heart rate is 72.").
    text = _upload(daemon, asset_path("speech", "dictation-40s.flac"))
    assert "1,440" not in text and "1440" not in text, text
    assert text.count("heart rate") == 1, text
    assert "140" in text, text


def test_by_default_an_ordinary_sentence_is_decoded_without_the_prompt(
    daemon: RunningDaemon, tmp_path: Path
) -> None:
    # The clinical prompt is opt-in: with it, whisper-base once heard this sentence's
    # "The patient denies" as "Laption to the eyes" and, on a later build, as "Mephaned
    # denies". Without it (the default), the sentence comes back whole.
    assert Settings().dictation.specialty == "none"
    audio = speak(PLAIN, tmp_path / "plain.wav")
    assert words(_upload(daemon, audio)) == words(PLAIN)
