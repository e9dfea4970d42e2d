"""The clinical prompt: one per specialty, within Whisper's prompt budget, drugs from the
lexicon; uploads and dictation get it unless the caller brings a prompt."""

from __future__ import annotations

from pathlib import Path

import pytest
from tokenizers import Tokenizer

from daemon.config import Settings
from daemon.errors import ConfigError
from daemon.history.service import History
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.speech.hints import DRUGS, SPECIALTIES, clinical_prompt
from daemon.speech.lexicon import drug_names
from daemon.speech.service import SpeechService
from daemon.transcription import TranscriptionRequest, TranscriptionService

# Whisper's prompt is half its 448-token context, less the start-of-previous token.
PROMPT_TOKENS = 223


@pytest.mark.parametrize("model", ["whisper-base", "whisper-tiny.en"])
def test_every_specialty_prompt_fits_the_prompt_budget(isolated_home: Path, model: str) -> None:
    folder = ModelRegistry(Paths.from_env()).resolve("speech", model).path
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    for specialty in SPECIALTIES:
        prompt = clinical_prompt(specialty)
        if prompt is not None:
            assert len(tokenizer.encode(" " + prompt).ids) <= PROMPT_TOKENS, specialty


def test_every_hinted_drug_is_in_the_lexicon() -> None:
    names = drug_names()
    for specialty, drugs in DRUGS.items():
        assert set(drugs) <= names, (specialty, set(drugs) - names)
    assert clinical_prompt("none") is None
    assert set(DRUGS) == set(SPECIALTIES)


def _service(settings: Settings) -> TranscriptionService:
    speech = SpeechService(settings.speech, ModelRegistry(Paths.from_env()), lambda info: None)  # type: ignore[arg-type,return-value]
    return TranscriptionService(settings, speech, History(settings.history, None))


def test_the_configured_specialty_gives_the_prompt_and_a_callers_prompt_wins() -> None:
    cardiology = Settings().with_overrides("dictation", specialty="cardiology")
    options = _service(cardiology).options(TranscriptionRequest())
    assert (options.hint, options.prompt) == (clinical_prompt("cardiology"), None)
    assert options.hint is not None and "apixaban" in options.hint
    mine = _service(cardiology).options(TranscriptionRequest(prompt="Dr Okonkwo's clinic."))
    assert (mine.hint, mine.prompt) == (None, "Dr Okonkwo's clinic.")
    assert Settings().dictation.specialty == "none"  # opt-in: it can cost a negation
    off = Settings().with_overrides("dictation", specialty="none")
    assert _service(off).options(TranscriptionRequest()).hint is None


def test_the_english_prompt_is_not_given_to_speech_in_another_language() -> None:
    general = Settings().with_overrides("dictation", specialty="general")
    assert _service(general).options(TranscriptionRequest(language="de")).hint is None
    assert _service(general).options(TranscriptionRequest(language="en")).hint is not None


def test_an_unknown_specialty_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"dictation\.specialty"):
        Settings().with_overrides("dictation", specialty="dentistry")
