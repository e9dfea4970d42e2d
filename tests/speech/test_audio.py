"""Audio decoding: every format PyAV reads, and a hard limit on decoded length."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from daemon.assets import asset_path
from daemon.errors import InvalidAudioError
from daemon.speech.audio import MAX_AUDIO_SECONDS, SAMPLE_RATE, decode_audio
from tests.support.speech import ALSA_SOUNDS, silence


def test_wav_and_flac_decode_to_16k_mono_float() -> None:
    wav = decode_audio((ALSA_SOUNDS / "Front_Left.wav").read_bytes())
    flac = decode_audio(asset_path("speech", "dictation-10s.flac").read_bytes())
    assert wav.dtype.name == flac.dtype.name == "float32"
    assert len(wav) / SAMPLE_RATE == pytest.approx(1.48, abs=0.05)
    assert len(flac) / SAMPLE_RATE == pytest.approx(9.34, abs=0.05)
    assert 0.1 < float(abs(flac).max()) <= 1.0


def test_audio_beyond_the_limit_is_refused_before_memory_fills() -> None:
    data = asset_path("speech", "dictation-40s.flac").read_bytes()
    with pytest.raises(InvalidAudioError, match=r"longer than the limit of 0\.5 minutes"):
        decode_audio(data, max_seconds=30)


@pytest.mark.parametrize(
    "data", [b"", b"RIFF\x00\x00\x00\x00WAVEnot really", bytes(range(256)) * 40]
)
def test_empty_or_corrupt_input_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(InvalidAudioError, match=r"empty|could not be decoded|no audio"):
        decode_audio(data)


def test_decoding_holds_little_more_than_the_result(tmp_path: Path) -> None:
    data = silence(tmp_path / "ten-minutes.flac", "10:00").read_bytes()
    tracemalloc.start()
    try:
        audio = decode_audio(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(audio) == 600 * SAMPLE_RATE
    # Joining parts and converting them would hold two to three copies at once.
    assert peak < 1.25 * audio.nbytes, peak / audio.nbytes


def test_a_bomb_stops_at_the_limit_while_decoding(tmp_path: Path) -> None:
    data = silence(tmp_path / "four-hours.flac", "4:00:00").read_bytes()
    assert len(data) < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(InvalidAudioError, match=r"longer than the limit of 10 minutes"):
            decode_audio(data, max_seconds=600)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Ten minutes of float32 and one buffer's slack, never the four hours (920 MB).
    assert peak < 1.25 * 600 * SAMPLE_RATE * 4, peak


def test_the_default_limit_is_one_hour() -> None:
    assert MAX_AUDIO_SECONDS == 3600
