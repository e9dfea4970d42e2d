"""Nothing leaves the machine: a real daemon in a sealed network namespace transcribes (VAD
on), chats, rewrites, takes a dictation and idles, and sends not one packet beyond loopback
and not one name lookup. The native code it loads (CTranslate2, ONNX Runtime, llama.cpp,
PyAV) is watched by the kernel's packet capture, not by Python's audit hook.

The daemon gets the environment of a user's session, not the test runner's: ONNX Runtime
keeps its telemetry quiet when it sees a CI system (measured: `CI=true` silenced it), and
a switch the runner happens to set must not stand in for one the daemon sets itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import numpy as np
import pytest
from openai import AsyncOpenAI

from daemon.client import DaemonAddress, dictate, request_json
from daemon.speech.audio import decode_audio
from tests.support.daemon import RunningDaemon, daemon_env, write_config
from tests.support.netns import PROBES, SealedNetwork, namespace_problem
from tests.support.speech import speak, words

IDLE_S = 40  # the measured ONNX Runtime lookup came about 10 s after the VAD model loaded
START_TIMEOUT_S = 60.0
# Short idle timeouts: the models also unload while the daemon rests.
CONFIG = """\
[server]
unix_socket = "{socket}"
[speech]
vad = true
idle_timeout = 15
[llm]
idle_timeout = 15
"""
# Variables a user's session does not have: CI markers (ONNX Runtime 1.32 checks these
# names) and the switches the daemon is meant to set for itself before imports.
NOT_A_USER_SESSION = (
    "CI",
    "TF_BUILD",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "CIRCLECI",
    "TRAVIS",
    "JENKINS_URL",
    "CODEBUILD_BUILD_ID",
    "BUILDKITE",
    "TEAMCITY_VERSION",
    "APPVEYOR",
    "BITBUCKET_BUILD_NUMBER",
    "ORT_RUNNING_UNIT_TESTS",
    "ORT_DISABLE_TELEMETRY",
    "DO_NOT_TRACK",
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_TELEMETRY",
    "TRANSFORMERS_OFFLINE",
    "HF_DATASETS_OFFLINE",
)
XDG_DIRS = {
    "XDG_CACHE_HOME": ".cache",
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
}
SPOKEN = "The patient denies chest pain and shortness of breath."
DICTATED = "Blood pressure is normal and the lungs are clear."
CLINICAL = "Pt denies chest pain, BP 140/90."


@pytest.fixture
def sealed(tmp_path: Path) -> Iterator[SealedNetwork]:
    """A sealed namespace whose capture is proven live by a first probe."""
    problem = namespace_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the no-egress proof must run in CI, but here {problem}")
        pytest.skip(problem)
    with SealedNetwork(tmp_path / "netns") as network:
        network.probe()  # fails unless the capture sees it
        yield network


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    """An empty home folder for the daemon: whatever it writes outside SOTTOVOCE_HOME
    (ONNX Runtime queues telemetry events under ~/.cache) lands here, not in root's."""
    folder = tmp_path / "user-home"
    folder.mkdir()
    return folder


def user_session_env(home: Path, user_home: Path) -> dict[str, str]:
    """The daemon's environment: the runner's, less what a user's session lacks."""
    env = daemon_env(home)
    for name in NOT_A_USER_SESSION:
        env.pop(name, None)
    env["HOME"] = str(user_home)
    env.update({name: str(user_home / path) for name, path in XDG_DIRS.items()})
    return env


@pytest.fixture
def sealed_daemon(
    sealed: SealedNetwork, tmp_path: Path, user_home: Path
) -> Iterator[RunningDaemon]:
    """`sottovoce serve` inside the namespace, serving on a Unix socket this test can reach."""
    with tempfile.TemporaryDirectory(prefix="sv-") as folder:  # a socket path must be short
        home = tmp_path / "home"
        write_config(home, CONFIG.format(socket=Path(folder) / "api.sock"))
        log_path = home / "serve.out"
        runtime = home / "state" / "daemon.json"
        env = user_session_env(home, user_home)
        process = sealed.popen([sys.executable, "-m", "daemon", "serve"], log_path, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not runtime.exists():
            assert process.poll() is None, f"the daemon exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"the daemon did not start:\n{log_path.read_text()}"
            time.sleep(0.05)
        token = (home / "config" / "token").read_text().strip()
        unix_socket = str(json.loads(runtime.read_text())["unix_socket"])
        yield RunningDaemon(process, home, 0, token, log_path, unix_socket)
        # close() of the namespace ends it if the test did not.


def _report(network: SealedNetwork, daemon: RunningDaemon, staged: list[Path]) -> str:
    packets = network.leaks()
    queries = network.queries()
    lines = [f"{len(packets)} packet(s) beyond loopback (capture: {network.capture_file}):"]
    lines += [f"  {p}" for p in packets[:60]]
    if len(packets) > 60:
        lines.append(f"  ... and {len(packets) - 60} more")
    lines.append(f"{len(queries)} name lookup(s):")
    names = sorted({f"{q['type']} {q['name']}" for q in queries})
    lines += [f"  {name}" for name in names]
    lines.append(f"{len(staged)} file(s) written outside SOTTOVOCE_HOME:")
    lines += [f"  {path}" for path in staged]
    lines.append("daemon log (last lines):")
    lines += [f"  {line}" for line in daemon.log().splitlines()[-15:]]
    return "\n".join(lines)


async def _pcm_chunks(pcm: bytes, chunk: int = 3200) -> AsyncIterator[bytes]:
    for start in range(0, len(pcm), chunk):
        yield pcm[start : start + chunk]
        await asyncio.sleep(0)


async def _wait_until_ready(address: DaemonAddress) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    async with address.session() as session:
        while True:
            health = await request_json(session, address, "GET", "/v1/health")
            state = health["models"]["speech"]["state"]
            assert state != "error", health
            if state == "loaded":
                return
            assert time.monotonic() < deadline, f"the speech model did not load: {health}"
            await asyncio.sleep(0.1)


async def _use_every_engine(address: DaemonAddress, wav: bytes, pcm: bytes) -> None:
    """A transcription with VAD and a chat through the openai client, a rewrite and a
    dictation through the project's own client: every native library at work."""
    await _wait_until_ready(address)
    transport = httpx2.AsyncHTTPTransport(uds=address.unix_socket)
    async with (
        httpx2.AsyncClient(transport=transport) as http,
        AsyncOpenAI(
            base_url=address.base_url + "/v1", api_key=address.token, http_client=http
        ) as openai,
    ):
        transcript = await openai.audio.transcriptions.create(
            model="whisper-1", file=("spoken.wav", wav, "audio/wav")
        )
        assert words(transcript.text) == words(SPOKEN)
        chat = await openai.chat.completions.create(
            model="smollm2-135m-instruct",
            messages=[{"role": "user", "content": "Say hello."}],
            max_tokens=16,
            temperature=0,
            seed=1,
        )
        assert chat.choices[0].message.content
    async with address.session() as session:
        body = {"text": CLINICAL, "preset": "proofread"}
        rewrite = await request_json(session, address, "POST", "/v1/rewrite", body)
        assert isinstance(rewrite["text"], str) and rewrite["text"]
        final = await dictate(session, address, _pcm_chunks(pcm), {"language": "en"})
        assert words(final or "") == words(DICTATED)


def _pcm16(wav: Path) -> bytes:
    """16 kHz mono PCM16 of a WAV file, with half a second of silence after it."""
    audio = decode_audio(wav.read_bytes())
    return (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes() + bytes(16000)


def test_a_daemon_at_work_and_at_rest_sends_nothing_beyond_loopback(
    sealed: SealedNetwork, sealed_daemon: RunningDaemon, user_home: Path, tmp_path: Path
) -> None:
    wav = speak(SPOKEN, tmp_path / "spoken.wav").read_bytes()
    pcm = _pcm16(speak(DICTATED, tmp_path / "dictated.wav"))
    address = DaemonAddress("http://localhost", sealed_daemon.token, sealed_daemon.unix_socket)
    asyncio.run(_use_every_engine(address, wav, pcm))
    time.sleep(IDLE_S)
    assert sealed_daemon.stop() == 0, sealed_daemon.log()
    sealed.probe()  # the capture still works at the end
    sealed.stop_capture()
    assert len(sealed.probes()) == 2 * len(PROBES), f"a probe went missing: {sealed.packets()}"
    # Nor anything staged to leave later, such as a telemetry queue or a device id.
    staged = sorted(path for path in user_home.rglob("*") if path.is_file())
    if sealed.leaks() or sealed.queries() or staged:
        pytest.fail(_report(sealed, sealed_daemon, staged), pytrace=False)
