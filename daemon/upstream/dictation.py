"""Dictation through a speech upstream: the audio stays here while the key is held and
goes to the server's file endpoint once, on release.

OpenAI-compatible servers (vLLM, faster-whisper-server, speaches) share the file
endpoint; none shares a streaming protocol, so none is assumed. There are no partials,
and the text arrives one upload and one server-side transcription after release (the
README gives the measured figures). The text rules run here, on what comes back, as
they do on a local dictation's text.
"""

from __future__ import annotations

import asyncio
import logging

import numpy as np

from daemon.dictation.postprocess import TextRules, apply_rules
from daemon.dictation.stream import FinalText, has_speech, within_room
from daemon.errors import BusyError, DictationError
from daemon.speech.audio import SAMPLE_RATE, Audio
from daemon.speech.service import SpeechService
from daemon.speech.types import TranscribeOptions

log = logging.getLogger(__name__)

BUSY_RETRIES = 40  # x 0.25 s: the speech queue serves other clients first


class BufferedDictation:
    """One dictation sent whole on release: feed PCM, then `finish()`."""

    def __init__(
        self,
        speech: SpeechService,
        options: TranscribeOptions,
        rules: TextRules,
        model: str | None,
        max_seconds: float,
    ) -> None:
        self._speech = speech
        self._options = options
        self._rules = rules
        self.model = model
        self._max_samples = int(max_seconds * SAMPLE_RATE)
        self._chunks: list[Audio] = []
        self._total = 0
        self.truncated = False
        # Which engine answered, for the final message (None until one did).
        self.answered_by: dict[str, str] | None = None

    @property
    def audio_seconds(self) -> float:
        return self._total / SAMPLE_RATE

    def start(self) -> None:
        """Nothing runs while audio arrives."""

    def feed(self, samples: Audio) -> None:
        """Keep audio; past the maximum length it is dropped, and the final says so."""
        samples, self.truncated = within_room(
            samples, self._max_samples - self._total, self.truncated
        )
        self._chunks.append(samples)
        self._total += len(samples)

    async def finish(self) -> FinalText:
        """Send the whole dictation and return its text, the text rules applied."""
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        self._chunks = []
        if not has_speech(audio):  # silence is not sent anywhere
            return FinalText("", self.audio_seconds, self.truncated)
        for _ in range(BUSY_RETRIES):
            try:
                transcript = await self._speech.async_transcribe(audio, self._options, self.model)
                break
            except BusyError:
                await asyncio.sleep(0.25)
        else:
            raise DictationError("the speech engine stayed busy; the dictation was not finished")
        self.answered_by = transcript.answered_by
        return FinalText(
            apply_rules(transcript.text, self._rules), self.audio_seconds, self.truncated
        )

    async def aclose(self) -> None:
        """Forget the audio (client gone or cancelled): nothing was sent."""
        self._chunks = []
