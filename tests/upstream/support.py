"""A practice's GPU server for the tests: llama-cpp-python's own OpenAI-compatible server
on the embedded GGUF, behind TLS with a certificate made here, in a network namespace
reached over a veth pair that the test creates (as root) and that vanishes with it.

The namespace side has two addresses, UPSTREAM and OTHER, and the server listens on
both: a connection to OTHER that is refused was refused by the daemon's guard, not by
a missing listener.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from daemon.guard import OFFLINE_ENV
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.upstream.selfsigned import Certificate
from tests.support.lifetime import StartedOnEnter, end_holder

TOOLS = ("unshare", "nsenter", "ip")
MODEL_ALIAS = "practice-smollm2"
SPEECH_MODEL = "whisper-base"  # the embedded one, served by the practice's speech server
SPEECH_ALIAS = "practice-whisper"  # what the workstation calls it (the server takes any)
API_KEY = "practice-key-" + "0" * 16
READY_TIMEOUT_S = 180.0  # the model loads on two shared cores


def network_problem() -> str | None:
    """Why a veth pair into a namespace cannot be made here, or None."""
    if not sys.platform.startswith("linux"):
        return "network namespaces exist only on Linux"
    if os.geteuid() != 0:
        return "a veth pair into a network namespace needs root (CI runs the suite as root)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing {', '.join(missing)} (installers/install.sh --test installs them)"
    return None


class PracticeNetwork(StartedOnEnter):
    """A namespace behind a veth pair: HOST on this side, UPSTREAM and OTHER on the other."""

    def __init__(self) -> None:
        # RFC 2544's benchmarking range: never routed beyond a lab; a random /29 per run.
        block = secrets.randbelow(2**14) * 8
        base = int(ipaddress.ip_address("198.18.0.0")) + block
        self.host, self.upstream, self.other = (
            str(ipaddress.ip_address(base + i)) for i in (1, 2, 3)
        )
        tag = secrets.token_hex(3)
        self.outside, self.inside = f"svh{tag}", f"svn{tag}"
        self._holder: subprocess.Popen[bytes] | None = None

    def _start(self) -> None:
        self._holder = subprocess.Popen(
            ["unshare", "--net", "sh", "-c", "ip link set lo up && echo ready && exec cat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        assert self._holder.stdout is not None
        if self._holder.stdout.readline().strip() != b"ready":
            raise RuntimeError("the practice's namespace could not be made")
        pid = str(self._holder.pid)
        _run("ip", "link", "add", self.outside, "type", "veth", "peer", "name", self.inside)
        _run("ip", "link", "set", self.inside, "netns", pid)
        _run("ip", "addr", "add", f"{self.host}/29", "dev", self.outside)
        _run("ip", "link", "set", self.outside, "up")
        for address in (self.upstream, self.other):
            _run(*self.command("ip", "addr", "add", f"{address}/29", "dev", self.inside))
        _run(*self.command("ip", "link", "set", self.inside, "up"))

    def command(self, *args: str) -> list[str]:
        """`args` as a command that runs inside the namespace."""
        assert self._holder is not None
        return ["nsenter", f"--target={self._holder.pid}", "--net", *args]

    def close(self) -> None:
        """The namespace ends with its holder, and the veth pair with it."""
        if self._holder is not None:
            end_holder(self._holder)
        subprocess.run(["ip", "link", "delete", self.outside], capture_output=True, timeout=30)


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip()}")


def embedded_whisper(home: Path) -> Path:
    """The embedded Whisper model's folder, as a daemon with that home finds it."""
    paths = Paths.from_env({"SOTTOVOCE_HOME": str(home)})
    return ModelRegistry(paths).resolve("speech", SPEECH_MODEL).path


def embedded_gguf(home: Path) -> Path:
    """The embedded LLM's file, as a daemon with that home finds it."""
    paths = Paths.from_env({"SOTTOVOCE_HOME": str(home)})
    return ModelRegistry(paths).resolve("llm", "smollm2-135m-instruct").path


_Server = TypeVar("_Server", bound="_TLSServer")


class _TLSServer:
    """A uvicorn app with TLS in the namespace, on every address there; the subclass
    names its command."""

    what = "server"
    path = "/v1"

    def __init__(
        self, network: PracticeNetwork, certificate: Certificate, log: Path, port: int
    ) -> None:
        self.network = network
        self.certificate = certificate
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://{self.network.upstream}:{self.port}/v1"

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _environment(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self: _Server) -> _Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.network.command(*self._command()),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self._environment(),
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        # uvicorn says so once the app has started and the TLS socket listens.
        while "Application startup complete" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.what} did not start:\n{self.log.read_text()}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """Stop it as a crash would: no goodbye on open connections."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def requests_logged(self) -> int:
        """How many requests to its endpoint the server's access log shows."""
        return self.log.read_text(errors="replace").count(f'"POST {self.path}')


class PracticeServer(_TLSServer):
    """`python -m llama_cpp.server` on the embedded GGUF: the practice's LLM."""

    what = "llama_cpp.server"
    path = "/v1/chat/completions"

    def __init__(
        self, network: PracticeNetwork, certificate: Certificate, log: Path, port: int = 8443
    ) -> None:
        super().__init__(network, certificate, log, port)

    def _command(self) -> list[str]:
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(embedded_gguf(self.log.parent / "home")), "--model_alias", MODEL_ALIAS,
            "--host", "0.0.0.0", "--port", str(self.port),
            "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1",
            "--ssl_keyfile", str(self.certificate.key_file),
            "--ssl_certfile", str(self.certificate.cert_file),
            "--api_key", API_KEY,
        ]  # fmt: skip


class PracticeSpeechServer(_TLSServer):
    """faster-whisper-server on the embedded Whisper model's folder: the practice's speech
    engine. Its CLI has no TLS options, so uvicorn is started on its app directly, with
    uvicorn's own; the model is a local path and the hub is off, so nothing downloads."""

    what = "faster-whisper-server"
    path = "/v1/audio/transcriptions"

    def __init__(
        self, network: PracticeNetwork, certificate: Certificate, log: Path, port: int = 8445
    ) -> None:
        super().__init__(network, certificate, log, port)

    def _command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "faster_whisper_server.api:app",
            "--host", "0.0.0.0", "--port", str(self.port),
            "--ssl-keyfile", str(self.certificate.key_file),
            "--ssl-certfile", str(self.certificate.cert_file),
        ]  # fmt: skip

    def _environment(self) -> dict[str, str]:
        model = embedded_whisper(self.log.parent / "home")
        return {**os.environ, **OFFLINE_ENV, "FWS_MODEL_NAME": str(model), "OMP_NUM_THREADS": "1"}


class RecordingTLSServer:
    """A TLS server with its own certificate that records every byte a client sends
    after the handshake: the impostor a pin must stop."""

    def __init__(self, address: str, certificate: Certificate) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate.cert_file, certificate.key_file)
        self._context = context
        self._listener = socket.create_server((address, 0))
        self.port = self._listener.getsockname()[1]
        self.handshakes = 0
        self.connections_ended = 0
        self.received = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            with raw:
                try:
                    with self._context.wrap_socket(raw, server_side=True) as tls:
                        self.handshakes += 1
                        tls.settimeout(10)
                        while chunk := tls.recv(65536):
                            self.received += chunk
                except (OSError, ssl.SSLError):
                    pass
                finally:
                    self.connections_ended += 1

    def close(self) -> None:
        # shutdown() wakes the blocked accept(); close() alone does not on Linux.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(10)
        assert not self._thread.is_alive(), "the recording server did not stop"


@contextlib.contextmanager
def recording_server(address: str, certificate: Certificate) -> Iterator[RecordingTLSServer]:
    server = RecordingTLSServer(address, certificate)
    try:
        yield server
    finally:
        server.close()
