"""Clinic mode for speech decodes uploads in a confined media worker: the daemon, which
holds the one door to the practice's server, never maps FFmpeg, and the API answers bad
uploads exactly as for a local transcription."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import psutil
import pytest

from daemon.errors import InvalidAudioError
from daemon.sandbox.confine import SECCOMP_AND_NAMESPACE
from daemon.server.errors import error_body, from_domain_error
from daemon.speech.audio import decode_audio
from tests.sandbox.test_confinement import _native_libraries, _proc_status
from tests.sandbox.test_media import reapable
from tests.support.daemon import RunningDaemon, health, wait_for
from tests.support.speech import silence, speak, words
from tests.upstream.conftest import MAX_UPLOAD_BYTES
from tests.upstream.support import PracticeSpeechServer
from tests.upstream.test_speech import SENTENCE, post_audio, spoken

FFMPEG = ("libavformat", "libavcodec")
MAX_AUDIO_SECONDS = 3600  # the workstation's [speech] max_audio_seconds (the default)


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return speak(SENTENCE, tmp_path_factory.mktemp("media") / "sentence.wav").read_bytes()


@pytest.fixture(scope="module")
def two_hours(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Under the workstation's upload limit in bytes, twice its limit in length."""
    path = tmp_path_factory.mktemp("long") / "silence.flac"
    silence(path, "2:00:00")
    data = path.read_bytes()
    assert len(data) < MAX_UPLOAD_BYTES
    return data


def _ffmpeg(pid: int) -> set[str]:
    """The FFmpeg libraries a process has mapped."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {name for name in FFMPEG if name in maps}


def _decoder(daemon: RunningDaemon) -> dict[str, object]:
    speech = health(daemon)["models"]["speech"]  # type: ignore[index]
    return dict(speech["decoder"])


async def _transcribed(daemon: RunningDaemon, data: bytes) -> dict[str, object]:
    status, headers, body = await post_audio(daemon, data, response_format="json")
    assert status == 200, body
    assert headers["X-Sottovoce-Answered-By"] == "upstream"
    return dict(json.loads(body))


async def test_an_upload_is_decoded_in_a_confined_worker_and_the_daemon_never_maps_ffmpeg(
    speech_workstation: RunningDaemon, wav: bytes
) -> None:
    answer = await _transcribed(speech_workstation, wav)
    assert spoken(str(answer["text"])) == words(SENTENCE)
    decoder = _decoder(speech_workstation)
    pid = decoder["pid"]
    assert isinstance(pid, int)
    daemon_pid = speech_workstation.process.pid
    assert psutil.Process(pid).ppid() == daemon_pid
    # The worker opened the upload with FFmpeg; the daemon, door and all, did not.
    assert _ffmpeg(pid) == set(FFMPEG)
    assert _ffmpeg(daemon_pid) == set()
    assert _native_libraries(daemon_pid) == set()
    # Kept off the network by the kernel: measured inside, and seen from outside.
    assert decoder["egress"] == SECCOMP_AND_NAMESPACE
    assert _proc_status(pid)["Seccomp"].strip() == "2"
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink(f"/proc/{daemon_pid}/ns/net")
    # Reused for the next upload, not started again.
    await _transcribed(speech_workstation, wav)
    assert _decoder(speech_workstation)["pid"] == pid


def _local_answer(data: bytes) -> tuple[int, dict[str, object]]:
    """What a local transcription answers for this upload: the local decoder's error
    through the API's own error mapping."""
    with pytest.raises(InvalidAudioError) as local:
        decode_audio(data, MAX_AUDIO_SECONDS)
    error = from_domain_error(local.value)
    return error.status, error_body(error.status, error.message, error.param, error.code)


@pytest.mark.parametrize("kind", ["corrupt", "overlong"])
async def test_a_bad_upload_gets_the_answer_of_a_local_transcription_and_nothing_is_sent(
    speech_workstation: RunningDaemon,
    speech_server: PracticeSpeechServer,
    two_hours: bytes,
    kind: str,
) -> None:
    data = b"RIFF....not audio at all" if kind == "corrupt" else two_hours
    local_status, local_body = await asyncio.to_thread(_local_answer, data)
    before = speech_server.requests_logged()
    status, _, body = await post_audio(speech_workstation, data)
    assert (status, json.loads(body)) == (local_status, local_body)
    assert status == 400
    assert speech_server.requests_logged() == before


async def test_a_killed_decoder_is_replaced_on_the_next_upload(
    speech_workstation: RunningDaemon, wav: bytes
) -> None:
    await _transcribed(speech_workstation, wav)
    killed = _decoder(speech_workstation)["pid"]
    assert isinstance(killed, int)
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: reapable(killed))
    answer = await _transcribed(speech_workstation, wav)
    assert spoken(str(answer["text"])) == words(SENTENCE)
    replaced = _decoder(speech_workstation)["pid"]
    assert isinstance(replaced, int) and replaced != killed
    assert health(speech_workstation)["models"]["speech"]["state"] == "loaded"  # type: ignore[index]
