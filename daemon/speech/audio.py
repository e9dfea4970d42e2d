"""Decode any audio PyAV understands into 16 kHz mono samples (float32 for the models,
PCM16 for the practice's server), with a length limit."""

from __future__ import annotations

import io
import wave
from typing import Protocol

import numpy as np
import numpy.typing as npt

from daemon.errors import InvalidAudioError
from daemon.guard import FFMPEG_INPUT_OPTIONS

SAMPLE_RATE = 16_000
BYTES_PER_SAMPLE = 4  # float32
PCM16_BYTES_PER_SAMPLE = 2
# One hour: a whole visit, a therapy session or a long dictated letter, in 230 MB
# of float32 samples. A small upload of a low-bitrate codec can hold many hours;
# decoding stops as soon as it passes this length.
MAX_AUDIO_SECONDS = 3600
Audio = npt.NDArray[np.float32]


class Decoder(Protocol):
    """Turns an upload into 16 kHz mono PCM16 (little-endian bytes); where it runs (a
    confined worker or this process) is the provider's choice (daemon/sandbox/loaders.py)."""

    def decode(self, data: bytes, max_seconds: float) -> bytes | bytearray:
        """The samples; corrupt, empty or overlong input raises InvalidAudioError."""
        ...

    def status(self) -> dict[str, object]:
        """The decoding process's pid and egress protection (None: this process)."""
        ...

    def close(self) -> None:
        """Free what the decoder holds (a worker process)."""
        ...


def decode_audio(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> Audio:
    """Decode an uploaded file; corrupt, empty or overlong input raises InvalidAudioError.

    Memory stays near the size of the result (4 bytes a sample): the resampler gives
    float32 frames that are appended to one growing buffer, which the returned array
    shares; nothing is held twice, and decoding stops at the limit.
    """
    audio: Audio = np.frombuffer(_decode(data, max_seconds, "flt", BYTES_PER_SAMPLE), np.float32)
    return audio


def decode_pcm16(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> bytearray:
    """Decode an uploaded file to PCM16 as decode_audio does to float32: FFmpeg's
    resampler makes the 16-bit samples, at half the memory and with no second rounding."""
    return _decode(data, max_seconds, "s16", PCM16_BYTES_PER_SAMPLE)


def pcm16_size(seconds: float) -> int:
    """The bytes of `seconds` of 16 kHz mono PCM16."""
    return int(seconds * SAMPLE_RATE) * PCM16_BYTES_PER_SAMPLE


def _decode(data: bytes, max_seconds: float, sample_format: str, sample_size: int) -> bytearray:
    import av  # FFmpeg: loaded only where uploads are decoded, in the confined workers

    if not data:
        raise InvalidAudioError("the audio file is empty")
    limit = int(max_seconds * SAMPLE_RATE) * sample_size
    resampler = av.AudioResampler(format=sample_format, layout="mono", rate=SAMPLE_RATE)
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
    return samples


def pcm16_to_float(data: bytes | bytearray) -> Audio:
    """Convert little-endian PCM16 bytes to float32 samples in [-1, 1)."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(audio: Audio) -> bytes:
    """Little-endian PCM16 of float32 samples (clipped to [-1, 1])."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def pcm16_wav(pcm: bytes | bytearray) -> bytes:
    """16 kHz mono WAV of PCM16 samples (what every Whisper server reads)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(pcm)
    return out.getvalue()
