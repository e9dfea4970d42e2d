"""Decode any audio PyAV understands into 16 kHz mono float32."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt

from daemon.errors import SpeechError

SAMPLE_RATE = 16_000
Audio = npt.NDArray[np.float32]


def decode_audio(data: bytes) -> Audio:
    """Decode an uploaded file; corrupt or empty input raises SpeechError."""
    if not data:
        raise SpeechError("the audio file is empty")
    # Imported here: faster_whisper pulls in the hub client, which must only be
    # imported after the outbound guard has set the offline switches.
    from faster_whisper.audio import decode_audio as _decode

    try:
        audio = _decode(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except Exception:
        raise SpeechError(
            "the audio file could not be decoded (corrupt or unsupported format)"
        ) from None
    if audio.size == 0:
        raise SpeechError("the audio file contains no audio samples")
    result: Audio = audio.astype(np.float32, copy=False)
    return result


def pcm16_to_float(data: bytes) -> Audio:
    """Convert little-endian PCM16 bytes to float32 samples in [-1, 1)."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
