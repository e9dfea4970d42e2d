"""Decode any audio PyAV understands into 16 kHz mono float32, with a length limit."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt

from daemon.errors import InvalidAudioError
from daemon.guard import FFMPEG_INPUT_OPTIONS

SAMPLE_RATE = 16_000
BYTES_PER_SAMPLE = 4  # float32
# One hour: a whole visit, a therapy session or a long dictated letter, in 230 MB
# of float32 samples. A small upload of a low-bitrate codec can hold many hours;
# decoding stops as soon as it passes this length.
MAX_AUDIO_SECONDS = 3600
Audio = npt.NDArray[np.float32]


def decode_audio(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> Audio:
    """Decode an uploaded file; corrupt, empty or overlong input raises InvalidAudioError.

    Memory stays near the size of the result (4 bytes a sample): the resampler gives
    float32 frames that are appended to one growing buffer, which the returned array
    shares; nothing is held twice, and decoding stops at the limit.
    """
    import av  # FFmpeg: loaded only where uploads are decoded, in the speech worker

    if not data:
        raise InvalidAudioError("the audio file is empty")
    limit = int(max_seconds * SAMPLE_RATE) * BYTES_PER_SAMPLE
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    # bytearray grows in place (realloc) where a list of parts would need a second
    # copy to join them.
    samples = bytearray()
    try:
        with av.open(
            io.BytesIO(data), mode="r", metadata_errors="ignore", options=FFMPEG_INPUT_OPTIONS
        ) as container:
            if not container.streams.audio:
                raise InvalidAudioError("the file holds no audio stream")
            for frame in container.decode(audio=0):
                for resampled in resampler.resample(frame):
                    samples += resampled.to_ndarray().data
                if len(samples) > limit:
                    raise InvalidAudioError(
                        f"the audio is longer than the limit of {max_seconds / 60:g} minutes"
                    )
            for resampled in resampler.resample(None):  # flush the resampler
                samples += resampled.to_ndarray().data
    except InvalidAudioError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError):
        raise InvalidAudioError(
            "the audio file could not be decoded (corrupt or unsupported format)"
        ) from None
    if not samples:
        raise InvalidAudioError("the audio file contains no audio samples")
    audio: Audio = np.frombuffer(samples, dtype=np.float32)
    return audio


def pcm16_to_float(data: bytes) -> Audio:
    """Convert little-endian PCM16 bytes to float32 samples in [-1, 1)."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
