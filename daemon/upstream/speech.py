"""The upstream as a speech engine: the same interface as the local ones
(daemon.speech.engine), so uploads, dictation and the text rules work unchanged.

An upload is decoded first, so the upload limits and the checks of a local
transcription apply before anything is sent, and it goes to the server as 16 kHz
mono WAV: the server never parses a container the user uploaded. The decoding runs
in the injected decoder, a confined media worker where the platform has workers
(daemon/sandbox/media.py): the kernel keeps it off the network, while this process
holds the open door to the server, so an exploit in an FFmpeg demuxer stays in the
worker. Its errors are the local path's, and the API answers as for a local upload.
The answer is asked for as verbose_json, whatever the client wanted: its segments go
through the same hallucination and runaway filters as a local transcript, and every
response format is rendered here. With fallback "local", a server that cannot be
reached hands the audio to the local model, and the answer says which engine answered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from daemon.device import DeviceName
from daemon.speech.audio import (
    PCM16_BYTES_PER_SAMPLE,
    SAMPLE_RATE,
    Audio,
    Decoder,
    float_to_pcm16,
    pcm16_to_float,
    pcm16_wav,
)
from daemon.speech.engine import HINT_MAX_SECONDS, SpeechEngine, is_hallucination
from daemon.speech.runaway import is_runaway
from daemon.speech.types import Segment, TranscribeOptions, Transcript
from daemon.upstream.client import UpstreamClient
from daemon.upstream.engine import answered_by
from daemon.upstream.errors import UpstreamRefusedError, UpstreamUnreachableError
from daemon.upstream.fallback import LocalFallback

log = logging.getLogger(__name__)

TRANSCRIPTIONS_PATH = "/audio/transcriptions"


def form_fields(options: TranscribeOptions, model: str, seconds: float) -> dict[str, str]:
    """OpenAI's form fields for `options`, as far as the API has them (no hotwords: the
    vocabulary goes into the prompt, which is how OpenAI's API takes it)."""
    hint = options.hint if seconds <= HINT_MAX_SECONDS else None
    prompt = " ".join(filter(None, (hint, options.prompt, options.hotwords)))
    fields = {
        "model": model,
        "response_format": "verbose_json",
        "temperature": f"{options.temperature:g}",
        "timestamp_granularities[]": "segment",
    }
    if options.language:
        fields["language"] = options.language
    if prompt:
        fields["prompt"] = prompt
    return fields


def transcript_of(answer: dict[str, Any], seconds: float, where: str) -> Transcript:
    """The server's verbose_json as a Transcript, filtered as a local one is."""
    raw = answer.get("segments")
    text = answer.get("text")
    if not isinstance(text, str) or (raw is not None and not isinstance(raw, list)):
        raise UpstreamRefusedError(f"the upstream server {where} did not answer OpenAI's JSON")
    try:
        segments = [_segment(index, item) for index, item in enumerate(raw or ())]
    except (KeyError, TypeError, ValueError):
        raise UpstreamRefusedError(
            f"the upstream server {where} answered segments not in OpenAI's shape"
        ) from None
    language = str(answer.get("language") or "")
    if raw is None:  # a server that gives only the text: nothing to filter on
        return Transcript(text.strip(), language, seconds)
    kept = [s for s in segments if not is_runaway(s) and not is_hallucination(s)]
    if dropped := len(segments) - len(kept):
        log.info("dropped %d upstream segment(s) as hallucination or loop", dropped)
    return Transcript(
        text="".join(s.text for s in kept).strip(),
        language=language,
        duration=seconds,
        segments=tuple(kept),
    )


def _segment(index: int, item: Any) -> Segment:
    def number(key: str, default: float = 0.0) -> float:
        value = item.get(key)
        return default if value is None else float(value)

    return Segment(
        id=index,
        start=number("start"),
        end=number("end"),
        text=str(item["text"]),
        avg_logprob=number("avg_logprob"),
        no_speech_prob=number("no_speech_prob"),
        compression_ratio=number("compression_ratio", 1.0),
        temperature=number("temperature"),
        tokens=tuple(int(t) for t in item.get("tokens") or ()),
    )


class UpstreamSpeechEngine:
    """Transcriptions from the practice's server, or the local model as its fallback."""

    device: DeviceName = "cpu"  # nothing runs on this machine's GPU

    def __init__(
        self,
        client: UpstreamClient,
        model: str,
        fallback: Callable[[], SpeechEngine] | None,
        decoder: Decoder,
    ) -> None:
        """`decoder` decodes uploads and is closed with this engine."""
        self.client = client
        self.model = model
        self._fallback = LocalFallback(client, fallback)
        self._decoder = decoder

    def transcribe(
        self, audio: Audio, options: TranscribeOptions, cancel: threading.Event | None = None
    ) -> Transcript:
        """Send the audio to the server's file endpoint and wait for the text (blocking)."""
        return self._send(float_to_pcm16(audio), options, cancel)

    def transcribe_file(
        self,
        data: bytes,
        options: TranscribeOptions,
        max_seconds: float,
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """Decode an upload in the decoder (corrupt, empty or overlong input is refused
        before anything is sent), then transcribe it."""
        return self._send(self._decoder.decode(data, max_seconds), options, cancel)

    def _send(
        self, pcm: bytes | bytearray, options: TranscribeOptions, cancel: threading.Event | None
    ) -> Transcript:
        seconds = len(pcm) / PCM16_BYTES_PER_SAMPLE / SAMPLE_RATE
        if cancel is not None and cancel.is_set():
            # The client left while the upload was decoded: its audio is not sent (a
            # local engine stops early too; nobody reads this answer).
            return Transcript("", options.language or "", seconds)
        fields = form_fields(options, self.model, seconds)
        try:
            answer = self.client.post_file(
                TRANSCRIPTIONS_PATH, fields, ("audio.wav", pcm16_wav(pcm), "audio/wav"), self.model
            )
        except UpstreamUnreachableError as error:
            local = self._fallback.take_over(error)
            transcript = local.transcribe(pcm16_to_float(pcm), options, cancel)
            return replace(transcript, answered_by=answered_by("local", ""))
        self.client.state.answered_by["upstream"] += 1
        transcript = transcript_of(answer, seconds, self.client.where)
        return replace(transcript, answered_by=answered_by("upstream", self.client.where))

    def status(self) -> dict[str, object]:
        """Which server answers and which process decodes uploads, for /v1/health."""
        return {
            "upstream": self.client.where,
            "upstream_model": self.model,
            "decoder": self._decoder.status(),
        }

    def close(self) -> None:
        """Free the decoder and the local fallback model, if it was loaded."""
        self._decoder.close()
        self._fallback.close()
