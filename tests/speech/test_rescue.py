"""The second, prompted decode of segments that seem to hold a misheard drug name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from openai import OpenAI

from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.speech.audio import decode_audio
from daemon.speech.correct import drug_corrector
from daemon.speech.engine import WhisperEngine
from daemon.speech.rescue import merge, prompt_for, rescue
from daemon.speech.types import Segment, TranscribeOptions, WordTiming
from tests.support.daemon import RunningDaemon
from tests.support.speech import speak, words

# A tune sentence (assets/speech/clinical-sentences.json): festival's voice, heard by
# whisper-base alone, comes out "Emla Dupine was stopped because of ankle swelling."
AMLODIPINE = "Amlodipine was stopped because of ankle swelling."
ORDINARY = "The weather was mild, so we walked to the market and bought bread."


def _timed(text: str) -> list[WordTiming]:
    """The words of `text`, a third of a second each."""
    pieces = re.findall(r"\s*\S+", text)
    return [WordTiming(i * 0.3, i * 0.3 + 0.3, piece, 1.0) for i, piece in enumerate(pieces)]


def _said(text: str, doubted: str = "") -> list[WordTiming]:
    """Words "word@start-end" as Whisper times them, those in `doubted` doubted."""
    timed = []
    for piece in re.findall(r"\s*\S+", text):
        word, _, span = piece.rpartition("@")
        start, end = map(float, span.split("-"))
        probability = 0.3 if word.strip(" ,.") in doubted.split() else 1.0
        timed.append(WordTiming(start, end, word, probability))
    return timed


def _merged(first: str, second: str, doubted: str = "") -> str:
    merged = merge(_said(first, doubted), _said(second), drug_corrector())
    return "".join(word.text for word in merged)


def _as_said(text: str) -> str:
    return "".join(word.text for word in _said(text))


def test_a_drug_heard_with_the_prompt_replaces_the_sound_alike_words_in_its_time() -> None:
    first = " Start@0-0.2 at@0.2-0.3 or@0.3-0.4 master@0.4-0.6 tin@0.6-0.8"
    assert _merged(first, " Start@0-0.2 atorvastatin@0.2-0.8") == " Start atorvastatin"
    # The first hearing's capital and space stay; the rest of the sentence is the first's.
    assert (
        _merged(
            " Emla@0-0.3 Dupine@0.3-0.7 was@0.7-0.9 stopped@0.9-1.3",
            " amlodipine@0-0.7 has@0.7-0.9 stopped@0.9-1.3",
        )
        == " Amlodipine was stopped"
    )
    # By time, however the words around it were heard.
    assert (
        _merged(
            " Oh,@0-0.2 may@0.2-0.4 preserve@0.4-0.8 20mg@0.9-1.4",
            " Omeprazole@0-0.8 20@0.9-1.1 milligrams@1.1-1.4",
        )
        == " Omeprazole 20mg"
    )
    # Two drugs heard as one stretch of other words.
    assert (
        _merged(
            first + " and@0.8-0.9 met@0.9-1.0 form@1.0-1.1 in@1.1-1.3",
            " Start@0-0.2 atorvastatin,@0.2-0.8 metformin@0.9-1.3",
        )
        == " Start atorvastatin and metformin"
    )
    # A drug the second hearing misspelt is spelt as the lexicon does.
    assert _merged(" Certainly@0-0.6 helps@0.6-0.9", " Certraline@0-0.6 helps@0.6-0.9") == (
        " Sertraline helps"
    )


def test_words_whisper_doubted_need_only_sound_like_the_drug() -> None:
    first = " Use@0-0.4 the@0.4-0.6 yellow@0.6-0.8 neutral@0.8-1.2 inhaler@1.2-1.9"
    second = " Use@0-0.4 the@0.4-0.6 albuterol@0.6-1.3 inhaler@1.3-1.9"
    # Spelt unlike albuterol, but Metaphone's YLNTRL is ALBTRL but for two sounds.
    assert _merged(first, second, "yellow neutral") == " Use the albuterol inhaler"
    assert _merged(first, second) == _as_said(first)  # heard with confidence: kept
    # Doubted words whose sounds are only half the drug's stay too (LSNST and LSNPRL).
    first = " Licensed@0-0.6 to@0.6-0.8 practise@0.8-1.2"
    second = " lisinopril@0-0.6 to@0.6-0.8 practise@0.8-1.2"
    assert _merged(first, second, "Licensed") == _as_said(first)


def test_a_drug_is_not_taken_where_the_words_sound_as_much_like_another() -> None:
    # One sound from chlorpromazine and one from clarithromycin (which was said; the
    # prompt had named only the first): left as heard, not made the wrong drug.
    first = " start@0-0.3 chlorothromicin.@0.3-1.2"
    second = " start@0-0.3 chlorpromazine.@0.3-1.2"
    assert _merged(first, second, "chlorothromicin") == _as_said(first)
    assert _merged(" start@0-0.3 emla@0.3-0.6 dupine@0.6-1", " start@0-0.3 amlodipine@0.3-1") == (
        " start amlodipine"
    )


def test_numbers_and_negations_are_never_taken_from_the_second_decode() -> None:
    # A number heard differently stays as first heard, the drug before it is taken.
    assert (
        _merged(
            " met@0-0.2 form@0.2-0.3 in@0.3-0.5 500@0.6-1 milligrams@1-1.5",
            " metformin@0-0.5 50@0.6-1 milligrams@1-1.5",
        )
        == " metformin 500 milligrams"
    )
    first = " No@0-0.2 met@0.2-0.4 form@0.4-0.5 in@0.5-0.7"
    assert _merged(first, " Metformin@0-0.7") == _as_said(first)
    # Nor is a negation brought in or lost where Whisper was sure of what it heard.
    for said, again in (("dies", "denies"), ("denies", "dies")):
        first = f" he@0-0.2 {said}@0.2-0.4 met@0.4-0.6 form@0.6-0.7 in@0.7-0.9"
        second = f" he@0-0.2 {again}@0.2-0.4 metformin@0.4-0.9"
        assert _merged(first, second) == f" he {said} metformin"
    first = " ten@0-0.3 lies@0.3-0.5 in@0.5-0.6 April@0.6-1"
    assert _merged(first, " lisinopril@0-1") == _as_said(first)


def test_ordinary_words_and_copied_prompts_are_left_as_first_heard() -> None:
    assert _merged(" nerve@0-0.3 pain@0.3-0.6", " nerf@0-0.3 pain@0.3-0.6") == " nerve pain"
    # A drug name in place of words that sound nothing like it is not taken,
    first = " and@0-0.2 the@0.2-0.4 weather@0.4-0.8 was@0.8-1"
    assert _merged(first, " amlodipine@0-0.8 was@0.8-1") == _as_said(first)
    # nor one whose time holds more words than a drug is said in.
    first = " at@0-0.1 or@0.1-0.2 a@0.2-0.3 mast@0.3-0.4 a@0.4-0.5 tin@0.5-0.6 in@0.6-0.7"
    assert _merged(first, " atorvastatin@0-0.7") == _as_said(first)
    # Whisper wrote out the prompt's list instead of what it heard.
    first = " I'm@0-0.2 repentin'@0.2-0.6 at@0.6-0.7 bedtime@0.7-1"
    second = " gabapentin,@0-0.3 atot,@0.3-0.5 metformin,@0.5-0.8 levapentin,@0.8-1"
    assert _merged(first, second) == _as_said(first)


def test_the_prompt_names_the_neighbours_first_then_the_common_drugs() -> None:
    prompt = prompt_for(drug_corrector(), "Search Reline helps her mood", ["metformin"])
    assert prompt.startswith("He denies pain. Medications: sertraline")
    assert prompt.endswith("metformin.")


def test_denies_replaces_the_doubted_words_heard_in_its_time() -> None:
    second = " He@0-0.2 denies@0.2-0.8 blood@0.9-1.2"
    first = " He@0-0.2 can@0.2-0.4 hide@0.4-0.8 blood@0.9-1.2"
    assert _merged(first, second, "hide") == " He denies blood"
    # By time: the words after it were heard differently too.
    assert (
        _merged(
            " He@0-0.2 can@0.2-0.4 hide,@0.4-0.7 he'll@0.7-0.9 kill@1-1.2 you@1.2-1.4",
            " He@0-0.2 denies@0.2-0.7 alkaliuse,@0.8-1.4",
            "hide he'll",
        )
        == " He denies, he'll kill you"
    )
    # Words Whisper was sure of stay: "he dies" may be what was said.
    assert _merged(first, second) == " He can hide blood"
    assert _merged(" he@0-0.2 dies@0.2-0.8", " he@0-0.2 denies@0.2-0.8", "dies") == " he denies"


@pytest.mark.parametrize(
    ("first", "doubted"),
    [
        (" She@0-0.2 has@0.2-0.8 pain@0.9-1.2", "has"),  # asserts a finding
        (" She@0-0.2 10@0.2-0.8 pain@0.9-1.2", "10"),
        (" She@0-0.2 never@0.2-0.8 pain@0.9-1.2", "never"),
        (" She@0-0.2 metformin@0.2-0.8 pain@0.9-1.2", "metformin"),
        (" She@0-0.2 can@0.2-0.3 see@0.3-0.5 the@0.5-0.6 high@0.6-0.8 pain@0.9-1.2", "high"),
    ],
)
def test_denies_never_replaces_a_number_negation_drug_finding_or_four_words(
    first: str, doubted: str
) -> None:
    assert "denies" not in _merged(first, " She@0-0.2 denies@0.2-0.8 pain@0.9-1.2", doubted)


@pytest.fixture(scope="module")
def engine() -> Iterator[WhisperEngine]:
    info = ModelRegistry(Paths.from_env()).resolve("speech", "whisper-base")
    loaded = WhisperEngine(info, "cpu", "int8")
    yield loaded
    loaded.close()


def _text(engine: WhisperEngine, path: Path, rescue: bool) -> str:
    return _text_of(engine, decode_audio(path.read_bytes()), rescue)


def _text_of(engine: WhisperEngine, audio: np.ndarray, rescue: bool) -> str:
    return engine.transcribe(audio, TranscribeOptions(language="en", drug_rescue=rescue)).text


def test_the_second_decode_hears_the_drug_whisper_alone_missed(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    audio = speak(AMLODIPINE, tmp_path / "amlodipine.wav", voice="festival")
    assert "amlodipine" not in words(_text(engine, audio, rescue=False))  # the control
    rescued = _text(engine, audio, rescue=True)
    assert {"amlodipine", "stopped", "ankle", "swelling"} <= set(words(rescued)), rescued


def test_the_second_decode_hears_denies_in_place_of_words_whisper_doubted(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    """A tune sentence in espeak-ng's voice; whisper-base alone hears "He can hide, he'll
    kill you, and thus never use drugs." Both hearings at temperature 0 (the fallback
    samples, and a sampled hearing varies from run to run)."""
    path = speak("He denies alcohol use and has never used drugs.", tmp_path / "denies.wav")
    audio = decode_audio(path.read_bytes())
    plain = TranscribeOptions(language="en", fallback=False, vad=False, word_timestamps=True)
    first = list(engine.transcribe(audio, plain).segments)
    assert "denies" not in words("".join(s.text for s in first))  # the control

    def redecode(clip: np.ndarray, prompt: str) -> list[Segment]:
        return list(engine.transcribe(clip, replace(plain, prompt=prompt)).segments)

    rescued = "".join(s.text for s in rescue(first, audio, drug_corrector(), redecode, ()))
    assert {"denies", "never", "drugs"} <= set(words(rescued)), rescued


def test_segments_the_caller_marks_as_context_are_not_decoded_again(
    engine: WhisperEngine, tmp_path: Path
) -> None:
    """Dictation settles a window that starts with the sentence before, already final
    (daemon/dictation/stream.py): the rescue does not spend a decode on it."""
    audio = decode_audio(
        speak(AMLODIPINE, tmp_path / "amlodipine.wav", voice="festival").read_bytes()
    )
    context = TranscribeOptions(language="en", drug_rescue=True, context_seconds=len(audio) / 16000)
    assert "amlodipine" in words(_text_of(engine, audio, rescue=True))  # the control
    assert engine.transcribe(audio, context).text == _text_of(engine, audio, rescue=False)


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
