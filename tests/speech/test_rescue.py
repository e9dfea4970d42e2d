"""The second, prompted decode of segments that seem to hold a misheard drug name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from openai import OpenAI

from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.speech.audio import decode_audio
from daemon.speech.correct import drug_corrector
from daemon.speech.engine import WhisperEngine
from daemon.speech.rescue import merge, prompt_for
from daemon.speech.types import TranscribeOptions, WordTiming
from tests.support.daemon import RunningDaemon
from tests.support.speech import speak, words

# A tune sentence (assets/speech/clinical-sentences.json): festival's voice, heard by
# whisper-base alone, comes out "Emla Dupine was stopped because of ankle swelling."
AMLODIPINE = "Amlodipine was stopped because of ankle swelling."
ORDINARY = "The weather was mild, so we walked to the market and bought bread."


def _timed(text: str, doubted: frozenset[str] = frozenset()) -> list[WordTiming]:
    """The words of `text`, those in `doubted` with Whisper's doubt (probability 0.3)."""
    return [
        WordTiming(0.0, 0.0, piece, 0.3 if piece.strip(" ,.") in doubted else 1.0)
        for piece in re.findall(r"\s*\S+", text)
    ]


def _merged(first: str, second: str, doubted: str = "") -> str:
    heard = _timed(first, frozenset(doubted.split()))
    return "".join(w.text for w in merge(heard, _timed(second), drug_corrector()))


def test_a_drug_heard_with_the_prompt_replaces_the_sound_alike_words() -> None:
    assert _merged(" Start at or master tin", " Start atorvastatin") == " Start atorvastatin"
    # The first hearing's capital and space stay; the rest of the sentence is the first's.
    assert _merged(" Emla Dupine was stopped", " amlodipine has stopped") == (
        " Amlodipine was stopped"
    )


def test_numbers_and_negations_are_never_taken_from_the_second_decode() -> None:
    # A number heard differently stays as first heard, the drug before it is taken.
    assert _merged(" met form in 500 milligrams", " metformin 50 milligrams") == (
        " metformin 500 milligrams"
    )
    assert _merged(" No met form in", " Metformin") == " No met form in"
    # Nor is a negation brought in where Whisper was sure of what it heard.
    assert _merged(" he dies met form in", " he denies metformin") == " he dies metformin"
    assert _merged(" he denies met form in", " he dies metformin") == " he denies metformin"
    assert _merged(" ten lies in April", " lisinopril") == " ten lies in April"


def test_ordinary_words_and_copied_prompts_are_left_as_first_heard() -> None:
    assert _merged(" nerve pain in both feet", " nerf pain in both feet") == (
        " nerve pain in both feet"
    )
    # A drug name in place of words that sound nothing like it is not taken.
    assert _merged(" and the weather was", " amlodipine was") == " and the weather was"
    # Whisper wrote out the prompt's list instead of what it heard.
    first = " I'm repentin' at bedtime for nerve pain"
    assert _merged(first, " gabapentin, atot, metformin, levapentin,") == first


def test_the_prompt_names_the_neighbours_first_then_the_common_drugs() -> None:
    prompt = prompt_for(drug_corrector(), "Search Reline helps her mood", ["metformin"])
    assert prompt.startswith("He denies pain. Medications: sertraline")
    assert prompt.endswith("metformin.")


def test_denies_replaces_words_whisper_doubted_and_nothing_else() -> None:
    assert _merged(" He can hide blood", " He denies blood", "hide") == " He denies blood"
    # Three words at most, counted from both ends of what differs.
    assert _merged(" and cheat the eyes side effects", " and denies side effect", "the") == (
        " and denies side effects"
    )
    assert _merged(" She can hide her fake", " He denies panic,", "her fake") == " She denies fake"
    # Words Whisper was sure of stay: "he dies" may be what was said.
    assert _merged(" He can hide blood", " He denies blood") == " He can hide blood"
    assert _merged(" he dies", " he denies", "dies") == " he denies"
    # Never in place of a number, a negation, a drug or a word that asserts a finding,
    # nor of more than three words.
    assert _merged(" She has pain", " She denies pain", "has") == " She has pain"
    assert _merged(" He reports can pain", " He denies pain", "reports can") == (
        " He reports can pain"
    )
    assert _merged(" He 10 blood", " He denies blood", "10") == " He 10 blood"
    assert _merged(" He never smoked", " He denies smoked", "never") == " He never smoked"
    assert _merged(" He metformin blood", " He denies blood", "metformin") == (
        " He metformin blood"
    )
    assert _merged(" He can see the high blood", " He denies blood", "can see the high") == (
        " He can see the high blood"
    )


@pytest.fixture(scope="module")
def engine() -> Iterator[WhisperEngine]:
    info = ModelRegistry(Paths.from_env()).resolve("speech", "whisper-base")
    loaded = WhisperEngine(info, "cpu", "int8")
    yield loaded
    loaded.close()


def _text(engine: WhisperEngine, path: Path, rescue: bool) -> str:
    options = TranscribeOptions(language="en", drug_rescue=rescue)
    return engine.transcribe(decode_audio(path.read_bytes()), options).text


def test_the_second_decode_hears_the_drug_whisper_alone_missed(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    audio = speak(AMLODIPINE, tmp_path / "amlodipine.wav", voice="festival")
    assert "amlodipine" not in words(_text(engine, audio, rescue=False))  # the control
    rescued = _text(engine, audio, rescue=True)
    assert {"amlodipine", "stopped", "ankle", "swelling"} <= set(words(rescued)), rescued


def test_the_second_decode_hears_denies_where_whisper_alone_doubted_other_words(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    # A tune sentence; espeak-ng's voice, heard by whisper-base alone: "He can hide, he'll
    # kill you, and thus never use drugs."
    audio = speak("He denies alcohol use and has never used drugs.", tmp_path / "d.wav")
    assert "denies" not in words(_text(engine, audio, rescue=False))  # the control
    rescued = words(_text(engine, audio, rescue=True))
    assert {"denies", "never", "drugs"} <= set(rescued), rescued


def test_segments_the_caller_marks_as_context_are_not_decoded_again(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    """Dictation settles a window that starts with the sentence before, already final
    (daemon/dictation/stream.py): the rescue does not spend a decode on it."""
    audio = decode_audio(
        speak(AMLODIPINE, tmp_path / "amlodipine.wav", voice="festival").read_bytes()
    )
    options = TranscribeOptions(language="en", drug_rescue=True)
    context = TranscribeOptions(language="en", drug_rescue=True, context_seconds=len(audio) / 16000)
    assert "amlodipine" in words(engine.transcribe(audio, options).text)  # the control
    assert engine.transcribe(audio, context).text == _text_of(engine, audio, rescue=False)


def _text_of(engine: WhisperEngine, audio: np.ndarray, rescue: bool) -> str:
    return engine.transcribe(audio, TranscribeOptions(language="en", drug_rescue=rescue)).text


def test_ordinary_speech_comes_out_as_without_the_second_decode(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    audio = speak(ORDINARY, tmp_path / "ordinary.wav", voice="festival")
    assert _text(engine, audio, rescue=True) == _text(engine, audio, rescue=False)


def test_the_daemon_rescues_drug_names_by_default(daemon: RunningDaemon, tmp_path: Path) -> None:
    audio = speak(AMLODIPINE, tmp_path / "amlodipine.wav", voice="festival")
    with (
        OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as client,
        audio.open("rb") as file,
    ):
        text = client.audio.transcriptions.create(model="whisper-1", file=file).text
    assert "amlodipine" in words(text), text


def test_a_second_hearing_that_rewords_ordinary_prose_changes_nothing() -> None:
    # The prose of tests/speech/test_correct.py, each line heard again with every third
    # word changed (as a prompt can make Whisper do): no drug name, so nothing is taken.
    corrector = drug_corrector()
    lines = [
        line
        for path in sorted(Path("/usr/share/common-licenses").glob("*"))
        if path.is_file()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    assert len(lines) > 1000
    for line in lines:
        first = _timed(" " + line)
        second = [
            WordTiming(0.0, 0.0, " word" if index % 3 == 0 else piece.text, 1.0)
            for index, piece in enumerate(first)
        ]
        assert merge(first, second, corrector) == first, line
