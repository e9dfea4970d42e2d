"""Uploads and dictation build their engine options in one place, from the config."""

from __future__ import annotations

from pathlib import Path

from daemon.config import Settings
from daemon.history.service import History
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.speech.service import SpeechService
from daemon.transcription import TranscriptionRequest, TranscriptionService


def _service(settings: Settings) -> TranscriptionService:
    speech = SpeechService(settings.speech, ModelRegistry(Paths.from_env()), lambda info: None)  # type: ignore[arg-type,return-value]
    return TranscriptionService(settings, speech, History(settings.history, None))


def test_the_config_gives_language_beam_vad_and_vocabulary(isolated_home: Path) -> None:
    settings = Settings().with_overrides("speech", language="de", beam_size=4, vad=False)
    settings = settings.with_overrides("dictation", vocabulary=("metformin",))
    options = _service(settings).options(TranscriptionRequest(vocabulary=["lisinopril"]))
    assert (options.language, options.beam_size, options.vad) == ("de", 4, False)
    assert options.hotwords == "metformin, lisinopril"


def test_the_request_language_wins_over_the_config(isolated_home: Path) -> None:
    settings = Settings().with_overrides("speech", language="de")
    assert _service(settings).options(TranscriptionRequest(language="en")).language == "en"
    assert Settings().speech.max_audio_seconds == 3600
