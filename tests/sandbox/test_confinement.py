"""The engines run in worker processes that the kernel keeps off the network."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import psutil
import pytest
from openai import OpenAI

from daemon.config import Settings
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.sandbox.channel import MAX_FROM_WORKER, Channel
from daemon.sandbox.confine import SECCOMP_AND_NAMESPACE
from daemon.sandbox.engines import SandboxedSpeechEngine
from daemon.sandbox.process import PACKAGE_ROOT, worker_command
from daemon.speech.audio import decode_audio
from daemon.speech.types import TranscribeOptions
from tests.support.daemon import RunningDaemon, health
from tests.support.speech import speak, words

SENTENCE = "The patient denies chest pain and shortness of breath."
NATIVE_LIBRARIES = ("libctranslate2", "libonnxruntime", "libllama", "libavcodec")
REFUSED = {name: "refused" for name in ("AF_INET", "AF_INET6", "AF_PACKET", "AF_NETLINK")}


def _proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _native_libraries(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {name for name in NATIVE_LIBRARIES if name in maps}


def test_worker_refuses_network_sockets_and_programs_while_it_transcribes(
    tmp_path: Path,
) -> None:
    info = ModelRegistry(Paths.from_env()).resolve("speech", "whisper-base")
    engine = SandboxedSpeechEngine(info, "cpu", memory_limit_mb=0)
    try:
        confinement = engine.worker.confinement
        # Measured inside the worker, after confinement: socket.socket(AF_INET) and the
        # others raised PermissionError, and execve was refused.
        assert confinement["probes"] == {**REFUSED, "execve": "refused"}
        assert confinement["egress"] == SECCOMP_AND_NAMESPACE, confinement["reasons"]
        audio = decode_audio(speak(SENTENCE, tmp_path / "s.wav").read_bytes())
        worker = psutil.Process(engine.worker.pid)
        before = worker.cpu_times()
        transcript = engine.transcribe(audio, TranscribeOptions(language="en"))
        after = worker.cpu_times()
        assert words(transcript.text) == words(SENTENCE)
        # The worker did the inference, under the filter the kernel reports.
        assert after.user + after.system > before.user + before.system + 0.05
        status = _proc_status(engine.worker.pid)
        assert status["Seccomp"].strip() == "2"  # a filter is installed
        assert status["NoNewPrivs"].strip() == "1"
        assert os.readlink(f"/proc/{engine.worker.pid}/ns/net") != os.readlink("/proc/self/ns/net")
    finally:
        engine.close()
    assert not engine.alive


def test_the_daemon_runs_no_native_model_code_its_workers_do(
    daemon: RunningDaemon, tmp_path: Path
) -> None:
    # A transcription with VAD loads every native library speech needs (ONNX Runtime lazily).
    api = OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0)
    with api as client, speak(SENTENCE, tmp_path / "s.wav").open("rb") as audio:
        assert words(client.audio.transcriptions.create(model="whisper-1", file=audio).text)
    speech = health(daemon)["models"]["speech"]  # type: ignore[index]
    assert speech["state"] == "loaded"
    worker = psutil.Process(speech["pid"])
    assert worker.ppid() == daemon.process.pid
    assert {"libctranslate2", "libonnxruntime", "libavcodec"} <= _native_libraries(worker.pid)
    assert _native_libraries(daemon.process.pid) == set()
    assert speech["egress"] == SECCOMP_AND_NAMESPACE


def test_health_reports_the_egress_protection_measured_on_this_machine(
    daemon: RunningDaemon,
) -> None:
    egress = health(daemon)["egress"]
    assert egress["protection"] == SECCOMP_AND_NAMESPACE  # type: ignore[index]
    assert egress["reason"] is None  # type: ignore[index]
    assert egress["memory_limit_mb"] == psutil.virtual_memory().total // 2**20 // 2  # type: ignore[index]


# What a user without privileges has: root with every capability dropped.
WITHOUT_CAPABILITIES = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping capabilities to test this needs root")
def test_without_privileges_a_worker_gets_its_namespace_through_a_user_namespace() -> None:
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(
        [*WITHOUT_CAPABILITIES, *worker_command(theirs.fileno(), "probe", 0)],
        pass_fds=(theirs.fileno(),),
        cwd=PACKAGE_ROOT,
    )
    theirs.close()
    channel = Channel(ours, MAX_FROM_WORKER)
    hello, _ = channel.receive()
    channel.close()
    assert process.wait(30) == 0
    confinement = hello["confinement"]
    assert confinement["probes"] == {**REFUSED, "execve": "refused"}
    user_namespaces = subprocess.run(
        [*WITHOUT_CAPABILITIES, "unshare", "--user", "--net", "true"], capture_output=True
    )
    if user_namespaces.returncode == 0:
        assert confinement["egress"] == SECCOMP_AND_NAMESPACE, confinement["reasons"]
    else:
        assert confinement["egress"] == "kernel: seccomp"
        assert "user namespaces are off" in confinement["reasons"][0]


def test_settings_default_memory_limit_is_half_the_machine() -> None:
    from daemon.sandbox.loaders import memory_limit_mb

    assert Settings().sandbox.memory_limit_mb == 0
    assert memory_limit_mb(0) == psutil.virtual_memory().total // 2**20 // 2
    assert memory_limit_mb(-1) == 0
    assert memory_limit_mb(900) == 900
