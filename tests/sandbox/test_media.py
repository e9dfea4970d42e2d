"""Uploads for the practice's server are decoded in a confined media worker: no model,
only PyAV, kept off the network by the kernel; its answers and errors are the local
decoder's, and its audio comes back as the reply's raw payload."""

from __future__ import annotations

import io
import os
import signal
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from daemon.errors import InvalidAudioError
from daemon.sandbox.channel import MAX_FROM_WORKER
from daemon.sandbox.confine import SECCOMP_AND_NAMESPACE
from daemon.sandbox.media import SandboxedDecoder
from daemon.speech.audio import SAMPLE_RATE, decode_audio, decode_pcm16, pcm16_size
from tests.sandbox.test_confinement import _proc_status
from tests.support.daemon import wait_for
from tests.support.speech import speak

SENTENCE = "The patient denies chest pain."
MAX_SECONDS = 3600.0  # the default [speech] max_audio_seconds


@pytest.fixture(scope="module")
def decoder() -> Iterator[SandboxedDecoder]:
    running = SandboxedDecoder(MAX_SECONDS, memory_limit_mb=0)
    yield running
    running.close()


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return speak(SENTENCE, tmp_path_factory.mktemp("media") / "s.wav").read_bytes()


def _pid(decoder: SandboxedDecoder) -> int:
    pid = decoder.status()["pid"]
    assert isinstance(pid, int)
    return pid


def reapable(pid: int) -> bool:
    """Dead and waiting for its parent, so the parent's next poll sees it gone. A zombie
    leader alone is not enough: its other threads (the channel reader) may still be
    exiting, and until they are, waitpid does not report it."""
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state == "Z" and os.listdir(f"/proc/{pid}/task") == [str(pid)]


def test_an_upload_is_decoded_by_a_confined_worker_as_the_local_decoder_does(
    decoder: SandboxedDecoder, wav: bytes
) -> None:
    pcm = decoder.decode(wav, MAX_SECONDS)
    assert pcm == decode_pcm16(wav, MAX_SECONDS)
    # PCM16 of the same samples that the local models get as float32.
    local = decode_audio(wav, MAX_SECONDS)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    assert len(samples) == len(local) and np.abs(samples - local).max() < 2 / 32768
    pid = _pid(decoder)
    assert pid != os.getpid()
    assert "libavformat" in Path(f"/proc/{pid}/maps").read_text()
    # Measured inside the worker after confinement (every network socket and execve
    # refused), and seen from outside: a seccomp filter, a network namespace of its own.
    assert decoder.status()["egress"] == SECCOMP_AND_NAMESPACE
    proc = _proc_status(pid)
    assert proc["Seccomp"].strip() == "2" and proc["NoNewPrivs"].strip() == "1"
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")


def _local_error(data: bytes, max_seconds: float) -> str:
    with pytest.raises(InvalidAudioError) as local:
        decode_pcm16(data, max_seconds)
    return str(local.value)


@pytest.mark.parametrize(
    ("data", "max_seconds"),
    [
        (b"RIFF....not audio at all", MAX_SECONDS),
        (b"", MAX_SECONDS),
        (None, 1.0),  # the spoken sentence is longer than one second
    ],
    ids=["corrupt", "empty", "overlong"],
)
def test_bad_uploads_raise_the_local_decoders_errors(
    decoder: SandboxedDecoder, wav: bytes, data: bytes | None, max_seconds: float
) -> None:
    upload = wav if data is None else data
    pid = _pid(decoder) if decoder.status()["pid"] else None
    with pytest.raises(InvalidAudioError) as refused:
        decoder.decode(upload, max_seconds)
    assert str(refused.value) == _local_error(upload, max_seconds)
    # The worker answered the error and goes on serving.
    assert pid is None or _pid(decoder) == pid


def test_a_dead_worker_is_replaced_on_the_next_upload(
    decoder: SandboxedDecoder, wav: bytes
) -> None:
    decoder.decode(wav, MAX_SECONDS)
    killed = _pid(decoder)
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: reapable(killed))
    assert decoder.decode(wav, MAX_SECONDS) == decode_pcm16(wav, MAX_SECONDS)
    assert _pid(decoder) != killed


def _low_rate_wav(seconds: int) -> bytes:
    """Silence as 8 kHz 8-bit WAV: small to send, twice its length in samples at 16 kHz."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(8000)
        writer.writeframes(b"\x80" * (8000 * seconds))
    return out.getvalue()


def test_the_receive_limit_follows_the_length_setting_past_the_fixed_frame_limit(
    decoder: SandboxedDecoder,
) -> None:
    # 40 minutes decode to 76.8 MB of PCM16, more than MAX_FROM_WORKER; the default hour
    # of [speech] max_audio_seconds must still come back whole.
    seconds = 40 * 60
    assert pcm16_size(seconds) > MAX_FROM_WORKER
    assert decoder.max_incoming >= pcm16_size(MAX_SECONDS)
    pcm = decoder.decode(_low_rate_wav(seconds), MAX_SECONDS)
    assert abs(len(pcm) - pcm16_size(seconds)) <= 2 * SAMPLE_RATE // 100
    assert SandboxedDecoder(6 * 3600, 0).max_incoming >= pcm16_size(6 * 3600)


def test_a_longer_limit_than_the_worker_was_started_for_is_refused(
    decoder: SandboxedDecoder, wav: bytes
) -> None:
    from daemon.errors import SpeechEngineError

    with pytest.raises(SpeechEngineError, match="at most 3600 s"):
        decoder.decode(wav, MAX_SECONDS + 1)
