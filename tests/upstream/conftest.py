"""The practice's network, its GPU server and a workstation daemon in clinic mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.upstream.selfsigned import Certificate, make_certificate
from tests.support.daemon import RunningDaemon, start_daemon, write_config
from tests.upstream.support import (
    API_KEY,
    MODEL_ALIAS,
    SPEECH_ALIAS,
    PracticeNetwork,
    PracticeServer,
    PracticeSpeechServer,
    network_problem,
)

# Applied on this machine to what the practice's speech server answers.
REPLACEMENTS = {"chest pain": "CHEST-PAIN"}
MAX_UPLOAD_BYTES = 1024 * 1024  # the workstation's limit, checked before anything is sent


def clinic_config(home: Path, url: str, pin: str, fallback: str = "error") -> str:
    """A workstation's config.toml: the LLM on the practice's server, the key in a file."""
    key_file = home / "upstream.key"
    home.mkdir(parents=True, exist_ok=True)
    key_file.write_text(API_KEY + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return f"""\
[speech]
load_at_start = false
[llm]
idle_timeout = -1
[history]
key_source = "file"
[upstream.llm]
url = "{url}"
pin = "{pin}"
model = "{MODEL_ALIAS}"
api_key_file = "{key_file}"
fallback = "{fallback}"
timeout_seconds = 120
"""


def speech_config(home: Path, url: str, pin: str, fallback: str = "error") -> str:
    """A workstation's config.toml: speech on the practice's server (no key: the test
    server takes none), a replacement rule to show the text rules run here."""
    home.mkdir(parents=True, exist_ok=True)
    rules = "\n".join(f'"{k}" = "{v}"' for k, v in REPLACEMENTS.items())
    return f"""\
[server]
max_upload_bytes = {MAX_UPLOAD_BYTES}
[speech]
load_at_start = false
idle_timeout = -1
[llm]
load_at_start = false
[history]
key_source = "file"
[dictation.replacements]
{rules}
[upstream.speech]
url = "{url}"
pin = "{pin}"
model = "{SPEECH_ALIAS}"
fallback = "{fallback}"
timeout_seconds = 120
"""


def start_speech_workstation(
    home: Path, url: str, pin: str, fallback: str = "error"
) -> RunningDaemon:
    """A daemon whose speech goes to the practice's server."""
    write_config(home, speech_config(home, url, pin, fallback))
    return start_daemon(home, wait_models=False)


def start_workstation(home: Path, url: str, pin: str, fallback: str = "error") -> RunningDaemon:
    """A daemon in clinic mode, its history key in a file under its home."""
    write_config(home, clinic_config(home, url, pin, fallback))
    return start_daemon(home, wait_models=False)


@pytest.fixture(scope="module")
def network() -> Iterator[PracticeNetwork]:
    problem = network_problem()
    if problem:
        pytest.skip(problem)
    with PracticeNetwork() as made:
        yield made


@pytest.fixture(scope="module")
def certificate(network: PracticeNetwork, tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    folder = tmp_path_factory.mktemp("tls")
    return make_certificate(folder, "gpu-server", [network.upstream, network.other])


@pytest.fixture(scope="module")
def server(
    network: PracticeNetwork, certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PracticeServer]:
    log = tmp_path_factory.mktemp("upstream-log") / "llama_cpp.server.log"
    practice = PracticeServer(network, certificate, log).start()
    yield practice
    practice.kill()


@pytest.fixture(scope="module")
def workstation(
    server: PracticeServer, certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningDaemon]:
    home = tmp_path_factory.mktemp("workstation")
    running = start_workstation(home, server.url, certificate.spki_pin)
    yield running
    code = running.stop()
    assert code == 0, f"daemon exited with {code}:\n{running.log()}"


@pytest.fixture(scope="module")
def speech_server(
    network: PracticeNetwork, certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PracticeSpeechServer]:
    log = tmp_path_factory.mktemp("speech-log") / "faster-whisper-server.log"
    practice = PracticeSpeechServer(network, certificate, log).start()
    yield practice
    practice.kill()


@pytest.fixture(scope="module")
def speech_workstation(
    speech_server: PracticeSpeechServer,
    certificate: Certificate,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningDaemon]:
    home = tmp_path_factory.mktemp("speech-workstation")
    running = start_speech_workstation(home, speech_server.url, certificate.spki_pin)
    yield running
    code = running.stop()
    assert code == 0, f"daemon exited with {code}:\n{running.log()}"
