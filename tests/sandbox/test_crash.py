"""A worker that crashes or is killed costs only the requests it held: they get 503
model_unavailable, the daemon keeps serving, and the next request starts a new worker."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import APIError, APIStatusError, OpenAI

from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from tests.support.daemon import (
    RunningDaemon,
    health,
    sottovoce,
    start_daemon,
    wait_for,
    write_config,
)
from tests.support.speech import speak, words

SENTENCE = "The patient denies chest pain and shortness of breath."
QUESTION = [{"role": "user", "content": "Write a long story about a hospital."}]


@pytest.fixture(scope="module")
def crash_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDaemon]:
    home = tmp_path_factory.mktemp("crash-home")
    write_config(home, "[llm]\nload_at_start = true\n")
    daemon = start_daemon(home)
    wait_for(lambda: _model(daemon, "llm")["state"] == "loaded")
    yield daemon
    assert daemon.stop() == 0, daemon.log()


@pytest.fixture(scope="module")
def long_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(" ".join([SENTENCE] * 12), tmp_path_factory.mktemp("long") / "long.wav")


def _model(daemon: RunningDaemon, kind: str) -> dict[str, object]:
    return health(daemon)["models"][kind]  # type: ignore[index,no-any-return]


def _client(daemon: RunningDaemon) -> OpenAI:
    return OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0)


def _kill_when_busy(daemon: RunningDaemon, kind: str, signum: int) -> int:
    wait_for(lambda: _model(daemon, kind)["busy"] is True)
    pid = int(str(_model(daemon, kind)["pid"]))
    os.kill(pid, signum)
    return pid


def test_a_segfault_in_the_speech_worker_answers_503_and_the_next_request_restarts_it(
    crash_daemon: RunningDaemon, long_speech: Path, tmp_path: Path
) -> None:
    killed: list[int] = []
    killer = threading.Thread(
        target=lambda: killed.append(_kill_when_busy(crash_daemon, "speech", signal.SIGSEGV))
    )
    killer.start()
    with (
        _client(crash_daemon) as client,
        long_speech.open("rb") as audio,
        pytest.raises(APIStatusError) as refused,
    ):
        client.audio.transcriptions.create(model="whisper-1", file=audio)
    killer.join()
    assert refused.value.status_code == 503
    assert refused.value.code == "model_unavailable"
    assert "SIGSEGV" in refused.value.message and "next request" in refused.value.message
    assert _model(crash_daemon, "speech")["state"] == "error"
    # The daemon kept serving the other engine meanwhile.
    with _client(crash_daemon) as client:
        assert (
            client.chat.completions.create(
                model="smollm2-135m-instruct", messages=QUESTION, max_tokens=4
            )
            .choices[0]
            .message.content
        )
        with speak(SENTENCE, tmp_path / "s.wav").open("rb") as audio:
            again = client.audio.transcriptions.create(model="whisper-1", file=audio)
    assert words(again.text) == words(SENTENCE)
    restarted = _model(crash_daemon, "speech")
    assert restarted["state"] == "loaded"
    assert restarted["pid"] != killed[0]


def test_a_killed_llm_worker_ends_the_stream_with_an_error_and_restarts(
    crash_daemon: RunningDaemon,
) -> None:
    pid = int(str(_model(crash_daemon, "llm")["pid"]))
    received: list[str] = []
    with _client(crash_daemon) as client:
        stream = client.chat.completions.create(
            model="smollm2-135m-instruct", messages=QUESTION, max_tokens=400, stream=True
        )
        with pytest.raises(APIError) as ended:
            for chunk in stream:
                received.append(chunk.choices[0].delta.content or "")
                if len(received) == 3:
                    os.kill(pid, signal.SIGKILL)
        # The stream ends with the error, not as if the answer were complete.
        assert "SIGKILL" in ended.value.message
        assert 3 <= len(received) < 400
        answer = client.chat.completions.create(
            model="smollm2-135m-instruct", messages=QUESTION, max_tokens=4
        )
    assert answer.choices[0].message.content
    assert _model(crash_daemon, "llm")["pid"] != pid


def test_a_corrupt_gguf_answers_503_naming_the_model_and_the_daemon_keeps_serving(
    crash_daemon: RunningDaemon, tmp_path: Path
) -> None:
    gguf = (
        ModelRegistry(Paths.from_env({"SOTTOVOCE_HOME": str(crash_daemon.home)}))
        .resolve("llm", "smollm2-135m-instruct")
        .path
    )
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(gguf.read_bytes()[: 2 << 20])  # the header and a part of the tensors
    added = sottovoce("models", "add", str(broken), "--name", "broken", home=crash_daemon.home)
    assert added.returncode == 0, added.stderr
    with _client(crash_daemon) as client:
        with pytest.raises(APIStatusError) as refused:
            client.chat.completions.create(model="broken", messages=QUESTION, max_tokens=4)
        assert refused.value.status_code == 503
        assert refused.value.code == "model_unavailable"
        assert "'broken' could not be loaded" in refused.value.message
        assert (
            client.chat.completions.create(
                model="smollm2-135m-instruct", messages=QUESTION, max_tokens=4
            )
            .choices[0]
            .message.content
        )
    assert health(crash_daemon)["status"] == "ok"
