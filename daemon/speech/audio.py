"""Decode any audio PyAV understands into 16 kHz mono float32, with a length limit."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import numpy.typing as npt

from daemon.errors import SpeechError
from daemon.guard import FFMPEG_INPUT_OPTIONS

SAMPLE_RATE = 16_000
# A small upload of a low-bitrate codec can hold hours of audio: stop decoding
# at this length instead of filling memory with float32 samples.
MAX_AUDIO_SECONDS = 3 * 3600
Audio = npt.NDArray[np.float32]


def decode_audio(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> Audio:
    """Decode an uploaded file; corrupt, empty or overlong input raises SpeechError."""
    import av  # FFmpeg: loaded only where uploads are decoded, in the speech worker

    if not data:
        raise SpeechError("the audio file is empty")
    limit = int(max_seconds * SAMPLE_RATE)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    parts: list[npt.NDArray[Any]] = []
    samples = 0
    try:
        with av.open(
            io.BytesIO(data), mode="r", metadata_errors="ignore", options=FFMPEG_INPUT_OPTIONS
        ) as container:
            if not container.streams.audio:
                raise SpeechError("the file holds no audio stream")
            for frame in container.decode(audio=0):
                for resampled in resampler.resample(frame):
                    parts.append(resampled.to_ndarray().reshape(-1))
                    samples += parts[-1].size
                if samples > limit:
                    raise SpeechError(
                        f"the audio is longer than the limit of {max_seconds / 60:g} minutes"
                    )
            for resampled in resampler.resample(None):  # flush the resampler
                parts.append(resampled.to_ndarray().reshape(-1))
    except SpeechError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError):
        raise SpeechError(
            "the audio file could not be decoded (corrupt or unsupported format)"
        ) from None
    if not parts or samples == 0:
        raise SpeechError("the audio file contains no audio samples")
    audio: Audio = np.concatenate(parts).astype(np.float32) / 32768.0
    return audio


def pcm16_to_float(data: bytes) -> Audio:
    """Convert little-endian PCM16 bytes to float32 samples in [-1, 1)."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
