"""Audio decoding: every format PyAV reads, and a hard limit on decoded length."""

from __future__ import annotations

import pytest

from daemon.assets import asset_path
from daemon.errors import SpeechError
from daemon.speech.audio import SAMPLE_RATE, decode_audio
from tests.support.speech import ALSA_SOUNDS


def test_wav_and_flac_decode_to_16k_mono_float() -> None:
    wav = decode_audio((ALSA_SOUNDS / "Front_Left.wav").read_bytes())
    flac = decode_audio(asset_path("speech", "dictation-10s.flac").read_bytes())
    assert wav.dtype.name == flac.dtype.name == "float32"
    assert len(wav) / SAMPLE_RATE == pytest.approx(1.48, abs=0.05)
    assert len(flac) / SAMPLE_RATE == pytest.approx(9.34, abs=0.05)
    assert 0.1 < float(abs(flac).max()) <= 1.0


def test_audio_beyond_the_limit_is_refused_before_memory_fills() -> None:
    data = asset_path("speech", "dictation-40s.flac").read_bytes()
    with pytest.raises(SpeechError, match=r"longer than the limit of 0\.5 minutes"):
        decode_audio(data, max_seconds=30)


@pytest.mark.parametrize(
    "data", [b"", b"RIFF\x00\x00\x00\x00WAVEnot really", bytes(range(256)) * 40]
)
def test_empty_or_corrupt_input_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(SpeechError, match=r"empty|could not be decoded|no audio"):
        decode_audio(data)
