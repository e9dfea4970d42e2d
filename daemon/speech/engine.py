"""faster-whisper behind a small interface; inference runs in worker threads."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Protocol

from daemon.device import DeviceName, physical_cores
from daemon.errors import ModelLoadError, SpeechRequestError
from daemon.models.registry import ModelInfo
from daemon.speech.audio import SAMPLE_RATE, Audio, decode_audio
from daemon.speech.correct import drug_corrector
from daemon.speech.hints import DRUGS
from daemon.speech.rescue import Redecode, rescue
from daemon.speech.runaway import cleaner, is_runaway, suspect, temperatures
from daemon.speech.types import Segment, TranscribeOptions, Transcript, WordTiming

log = logging.getLogger(__name__)

# Phrases Whisper is known to invent for silence or noise (from its subtitle
# training data). Dropped only when the segment itself looks unsupported.
HALLUCINATIONS = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "thanks for watching and see you next time",
        "please subscribe",
        "subscribe to my channel",
        "you",
        "bye",
        "so",
        "the end",
        "subtitles by the amaraorg community",
        "ill see you next time",
    }
)
NO_SPEECH_THRESHOLD = 0.6
HINT_MAX_SECONDS = 30  # one Whisper window: see TranscribeOptions.hint
WEAK_LOGPROB = -0.8


class SpeechEngine(Protocol):
    """A loaded speech-to-text model."""

    device: DeviceName

    def transcribe(
        self, audio: Audio, options: TranscribeOptions, cancel: threading.Event | None = None
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 audio (blocking; call from a worker thread);
        once `cancel` is set it stops after the current segment."""

    def transcribe_file(
        self,
        data: bytes,
        options: TranscribeOptions,
        max_seconds: float,
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """Decode an uploaded file (no longer than `max_seconds`), then transcribe it."""


def _normalised(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower()).strip()


def is_hallucination(segment: Segment) -> bool:
    """True for a known silence phrase or a segment Whisper itself doubts."""
    if segment.no_speech_prob > NO_SPEECH_THRESHOLD and segment.avg_logprob < WEAK_LOGPROB:
        return True
    phrase = _normalised(segment.text)
    if phrase in HALLUCINATIONS:
        return segment.no_speech_prob > 0.2 or segment.avg_logprob < -0.5
    return not phrase and not segment.text.strip()


def load_kwargs(device: DeviceName, compute_type: str) -> dict[str, Any]:
    """faster-whisper's load arguments (the benchmark's direct call uses them too)."""
    return {
        "device": device,
        "compute_type": compute_type,
        "cpu_threads": physical_cores() if device == "cpu" else 0,
        # Never the hub: a missing file is an error, not a download.
        "local_files_only": True,
    }


class WhisperEngine:
    """One faster-whisper model, loaded once; callers serialise access."""

    def __init__(self, info: ModelInfo, device: DeviceName, compute_type: str) -> None:
        from faster_whisper import WhisperModel

        self.info = info
        self.device: DeviceName = device
        self.compute_type = compute_type
        try:
            self._model = WhisperModel(str(info.path), **load_kwargs(device, compute_type))
        except Exception as error:
            log.error("faster-whisper could not load %s: %s", info.name, type(error).__name__)
            raise ModelLoadError(
                f"speech model {info.name!r} could not be loaded ({type(error).__name__}); "
                f"check the folder, or remove it with `sottovoce models remove {info.name}`"
            ) from error

    def transcribe(
        self, audio: Audio, options: TranscribeOptions, cancel: threading.Event | None = None
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 audio (blocking); `cancel` stops it early."""
        language = options.language or None
        if self.info.english_only:
            language = "en"
        hint = options.hint if len(audio) <= HINT_MAX_SECONDS * SAMPLE_RATE else None
        prompt = " ".join(filter(None, (hint, options.prompt))) or None
        kwargs: dict[str, Any] = {
            "language": language,
            "initial_prompt": prompt,
            "hotwords": options.hotwords or None,
            "temperature": temperatures(options.temperature, options.fallback),
            "beam_size": options.beam_size,
            "word_timestamps": options.word_timestamps
            or (options.drug_rescue and options.fallback),
            "vad_filter": options.vad,
            "no_speech_threshold": NO_SPEECH_THRESHOLD,
            "condition_on_previous_text": False,
        }
        segments, language = self._decode(audio, kwargs, cancel)
        if (prompt or options.hotwords) and suspect(segments):
            log.warning(
                "the prompted transcript looped or needed the fallback; "
                "decoding again without the prompt and hotwords"
            )
            kwargs.update(initial_prompt=None, hotwords=None)
            plain, plain_language = self._decode(audio, kwargs, cancel)
            if cleaner(segments, plain) is plain:
                segments, language = plain, plain_language
        if runaways := sum(map(is_runaway, segments)):
            log.warning("dropped %d segment(s) of looping text", runaways)
        kept = [s for s in segments if not is_runaway(s) and not is_hallucination(s)]
        if options.drug_rescue and options.fallback:
            common = DRUGS[options.specialty if options.specialty != "none" else "general"]
            context = [s for s in kept if s.end <= options.context_seconds]
            kept = context + rescue(
                kept[len(context) :],
                audio,
                drug_corrector(),
                self._redecoder(kwargs, cancel),
                common,
            )
            if not options.word_timestamps:  # asked for Whisper's doubt, not the caller
                kept = [replace(s, words=()) for s in kept]
        text = "".join(segment.text for segment in kept).strip()
        return Transcript(
            text=text,
            language=language,
            duration=len(audio) / SAMPLE_RATE,
            segments=tuple(kept),
        )

    def _redecoder(self, kwargs: dict[str, Any], cancel: threading.Event | None) -> Redecode:
        """Decodes a segment's audio again with the rescue's prompt: at temperature 0, once
        (its words are only a source of names and "denies"), without the VAD (the clip is
        speech)."""
        again = {**kwargs, "hotwords": None, "vad_filter": False}
        again["temperature"] = temperatures(0.0, fallback=False)

        def redecode(clip: Audio, prompt: str) -> list[Segment]:
            segments, _ = self._decode(clip, {**again, "initial_prompt": prompt}, cancel)
            return [s for s in segments if not is_runaway(s) and not is_hallucination(s)]

        return redecode

    def _decode(
        self, audio: Audio, kwargs: dict[str, Any], cancel: threading.Event | None
    ) -> tuple[list[Segment], str]:
        try:
            segments, info = self._model.transcribe(audio, **kwargs)
            return list(_convert(segments, cancel)), info.language
        except ValueError as error:
            raise SpeechRequestError(f"the transcription request was refused: {error}") from None

    def transcribe_file(
        self,
        data: bytes,
        options: TranscribeOptions,
        max_seconds: float,
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """Decode an uploaded file (no longer than `max_seconds`), then transcribe it."""
        return self.transcribe(decode_audio(data, max_seconds), options, cancel)

    def close(self) -> None:
        """Free the model's memory."""
        del self._model


def _convert(segments: Iterable[Any], cancel: threading.Event | None) -> Iterable[Segment]:
    # faster-whisper decodes lazily, one segment per step of this loop.
    for index, segment in enumerate(segments):
        if cancel is not None and cancel.is_set():
            log.info("transcription cancelled at %.0f s: the client left", segment.start)
            return
        words = tuple(
            WordTiming(w.start, w.end, w.word, w.probability) for w in (segment.words or ())
        )
        yield Segment(
            id=index,
            start=segment.start,
            end=segment.end,
            text=segment.text,
            avg_logprob=segment.avg_logprob,
            no_speech_prob=segment.no_speech_prob,
            compression_ratio=segment.compression_ratio,
            temperature=segment.temperature or 0.0,
            tokens=tuple(segment.tokens),
            words=words,
        )
