"""From audio to recorded text: the one path that uploads and dictation share.

Both routes build their TranscribeOptions here, so the configured language,
beam size, VAD and vocabulary apply to each; text rules and the history record
happen here too, and the caller learns whether the text was stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from daemon.config import Settings
from daemon.dictation.postprocess import TextRules
from daemon.dictation.stream import DictationStream
from daemon.history.models import Kind, NewEntry
from daemon.history.service import History, Recorded
from daemon.speech.correct import drug_corrector
from daemon.speech.hints import applies_to, clinical_prompt
from daemon.speech.lexicon import LexiconError
from daemon.speech.service import SpeechService
from daemon.speech.types import TranscribeOptions, Transcript
from daemon.upstream.dictation import BufferedDictation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranscriptionRequest:
    """What a caller may choose; None falls back on the config."""

    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    vocabulary: Sequence[str] = ()
    temperature: float = 0.0
    word_timestamps: bool = False
    source_app: str | None = None


@dataclass(frozen=True)
class RecordedTranscript:
    """A transcript after the text rules, and what became of its history entry."""

    transcript: Transcript
    model: str
    recorded: Recorded


class TranscriptionService:
    """Options, model choice, text rules and history for every transcription."""

    def __init__(self, settings: Settings, speech: SpeechService, history: History) -> None:
        self.settings = settings
        self.speech = speech
        self.history = history

    def options(self, request: TranscriptionRequest) -> TranscribeOptions:
        """The engine's options: the request's choices over the config's."""
        vocabulary = [*self.settings.dictation.vocabulary, *request.vocabulary]
        language = request.language or self.settings.speech.language or None
        # The caller's own prompt wins; else the clinical one of the configured specialty.
        prompt = request.prompt or None
        hint = None
        if prompt is None and applies_to(language):
            hint = clinical_prompt(self.settings.dictation.specialty)
        return TranscribeOptions(
            language=language,
            prompt=prompt,
            hint=hint,
            hotwords=", ".join(vocabulary) or None,
            temperature=request.temperature,
            word_timestamps=request.word_timestamps,
            vad=self.settings.speech.vad,
            beam_size=self.settings.speech.beam_size,
            # The drug names of the built-in lexicon are English ones.
            drug_rescue=self.settings.dictation.rescue_drug_names and applies_to(language),
            specialty=self.settings.dictation.specialty,
        )

    async def async_prepare(self) -> None:
        """Build the drug-name corrector off the event loop (about a second), so that the
        first dictation does not wait for it."""
        if not self.settings.dictation.correct_drug_names:
            return
        try:
            await asyncio.to_thread(drug_corrector)
        except LexiconError as error:  # every transcription will then say so too
            log.error("the drug lexicon could not be loaded: %s", error)

    def model(self, requested: str | None) -> str:
        """The installed model a request means; ModelNotFoundError before any work."""
        return self.speech.holder(self.speech.model_name(requested)).name

    async def async_transcribe_file(
        self, data: bytes, request: TranscriptionRequest
    ) -> RecordedTranscript:
        """Decode and transcribe an upload in the engine's turn, apply the replacements,
        and record it."""
        model = self.model(request.model)
        options = self.options(request)
        started = time.perf_counter()
        transcript = await self.speech.async_transcribe_file(
            data, options, model, self.settings.speech.max_audio_seconds
        )
        rules = TextRules.from_settings(self.settings.dictation)
        transcript = replace(transcript, text=rules.correct(transcript.text))
        recorded = await self.async_record(
            "transcription", transcript.text, transcript.duration, request, model, started
        )
        return RecordedTranscript(transcript, model, recorded)

    def stream(
        self,
        request: TranscriptionRequest,
        on_partial: Callable[[str], Awaitable[None]],
        spoken_commands: bool | None = None,
        normalize_numbers: bool | None = None,
    ) -> DictationStream | BufferedDictation:
        """A live dictation with the same options; the text rules as configured unless
        the caller turns one on or off. A model on the practice's server gets the whole
        dictation on release instead (daemon/upstream/dictation.py)."""
        dictation = self.settings.dictation
        rules = replace(
            TextRules.from_settings(dictation),
            spoken_commands=dictation.spoken_commands
            if spoken_commands is None
            else spoken_commands,
            normalize_numbers=dictation.normalize_numbers
            if normalize_numbers is None
            else normalize_numbers,
        )
        if self.speech.is_remote(request.model):
            return BufferedDictation(
                self.speech,
                self.options(request),
                rules,
                self.model(request.model),
                dictation.max_seconds,
            )
        return DictationStream(
            self.speech,
            self.options(request),
            rules,
            on_partial,
            self.model(request.model),
            dictation.max_seconds,
        )

    async def async_record(
        self,
        kind: Kind,
        text: str,
        audio_seconds: float,
        request: TranscriptionRequest,
        model: str | None,
        started: float,
    ) -> Recorded:
        """Store one transcription or dictation; says whether it was stored."""
        return await self.history.async_record(
            NewEntry(
                kind=kind,
                output_text=text,
                audio_seconds=audio_seconds,
                source_app=request.source_app,
                model=model,
                duration_seconds=time.perf_counter() - started,
            )
        )
