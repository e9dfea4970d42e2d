"""Typed requests and results of the speech engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from daemon.speech.hints import Specialty


@dataclass(frozen=True)
class TranscribeOptions:
    """What a caller may ask of one transcription."""

    language: str | None = None
    prompt: str | None = None
    # The built-in clinical prompt (daemon/speech/hints.py), put before `prompt` only when
    # the audio fits one 30 s window: on a longer recording it made Whisper write a
    # sentence twice with an invented number ("blood pressure is 1,440").
    hint: str | None = None
    hotwords: str | None = None
    temperature: float = 0.0
    word_timestamps: bool = False
    vad: bool = True
    beam_size: int = 5  # SpeechSettings.beam_size
    # Temperature 0 with the fallback: raised when a window loops or is unsure. Dictation's
    # provisional passes decode once (they are decoded again as the window moves on).
    fallback: bool = True
    # Segments where a drug name seems misheard are decoded again with a prompt of its
    # phonetic neighbours (daemon/speech/rescue.py); like the fallback, not in provisional
    # passes: a second decode there doubled a pass and no partial came before release.
    drug_rescue: bool = False
    specialty: Specialty = "none"  # whose common drugs the rescue's prompt names
    # Seconds of audio at the start that are only context to the caller (dictation's
    # sentence before the one being settled): the rescue leaves its segments alone.
    context_seconds: float = 0.0


@dataclass(frozen=True)
class WordTiming:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    tokens: tuple[int, ...] = ()
    words: tuple[WordTiming, ...] = ()


@dataclass(frozen=True)
class Transcript:
    """The result of one transcription."""

    text: str
    language: str
    duration: float
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    # Clinic mode: which engine answered ({"answered_by": "upstream", "server": ...} or
    # {"answered_by": "local"}), as chat's `sottovoce` field says it; None without one.
    answered_by: dict[str, str] | None = None
