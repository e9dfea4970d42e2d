"""A practice's server for the clinic-mode benchmark when none is configured: started on
loopback with a fresh self-signed certificate (so the pinned TLS path is what is
measured), stopped afterwards."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from daemon.bench.common import BenchError, wait
from daemon.upstream.selfsigned import Certificate, make_certificate

SERVER_START_S = 300.0

# The server's command line and environment (None: this one's) for a port, a certificate
# and a scratch folder.
Command = Callable[[int, Certificate, Path], tuple[list[str], dict[str, str] | None]]


@contextlib.contextmanager
def loopback_server(what: str, command: Command) -> Iterator[tuple[str, str]]:
    """Run a uvicorn-based OpenAI server on loopback with TLS; yields (base URL, pin)."""
    with tempfile.TemporaryDirectory(prefix="sottovoce-bench-upstream-") as folder:
        scratch = Path(folder)
        cert = make_certificate(scratch, "bench", ["127.0.0.1"])
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log_path = scratch / "server.log"
        args, env = command(port, cert, scratch)
        with log_path.open("wb") as log:
            server = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait(
                lambda: (
                    server.poll() is not None
                    or "Application startup complete" in log_path.read_text(errors="replace")
                ),
                SERVER_START_S,
            )
            if server.poll() is not None:
                raise BenchError(f"{what} did not start for the benchmark")
            yield f"https://127.0.0.1:{port}/v1", cert.spki_pin
        finally:
            server.terminate()
            server.wait(30)
