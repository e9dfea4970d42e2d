"""A private virtual desktop (Xvfb, PulseAudio with a virtual microphone) for the agent bench.

The tests use the same pieces, so what the benchmark measures is what the tests prove.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

from daemon.errors import SottovoceError

SPEAKER = "sv_speaker"
MICROPHONE = "sv_mic"


class DesktopError(SottovoceError):
    """A virtual desktop piece could not start."""


def require(*tools: str) -> None:
    """Fail clearly when a program is missing."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        raise DesktopError(
            f"missing {', '.join(missing)}: install the test tools (`installers/install.sh --test`)"
        )


def start_xvfb(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on a display number it picks itself; returns (process, ':N')."""
    require("Xvfb")
    read_end, write_end = os.pipe()
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-nolisten",
                "tcp",
                "-noreset",
                "-screen",
                "0",
                "1024x768x24",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    os.close(write_end)
    # Xvfb writes the number, then "\n" in a second write: read up to the newline.
    received = b""
    deadline = time.monotonic() + 30
    try:
        while not received.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 32) if ready else b""
            if not chunk:
                break
            received += chunk
    finally:
        os.close(read_end)
    if not received.endswith(b"\n"):
        process.kill()
        process.wait()
        raise DesktopError(f"Xvfb did not start:\n{log.read_text(errors='replace')}")
    return process, f":{received.decode().strip()}"


class PulseAudio:
    """`play()` sends a file into a null sink whose monitor is the default microphone."""

    def __init__(self, folder: Path) -> None:
        require("pulseaudio", "pactl", "paplay")
        runtime = folder / "pulse-run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "PULSE_SERVER": f"unix:{runtime}/pulse/native",
        }
        log = folder / "pulse.log"
        subprocess.run(
            [
                "pulseaudio",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "-n",
                "--load=module-native-protocol-unix",
                f"--load=module-null-sink sink_name={SPEAKER}",
                f"--load=module-remap-source master={SPEAKER}.monitor source_name={MICROPHONE}",
                f"--log-target=file:{log}",
            ],
            env=self.env,
            check=True,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode:
            if time.monotonic() > deadline:
                raise DesktopError(f"PulseAudio did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        subprocess.run(["pactl", "set-default-source", MICROPHONE], env=self.env, check=True)

    @property
    def client_env(self) -> dict[str, str]:
        """The variables a client process needs to reach this server."""
        return {key: self.env[key] for key in ("XDG_RUNTIME_DIR", "PULSE_SERVER")}

    def play(self, wav: Path) -> None:
        """Play a file into the virtual microphone; returns when it has played."""
        subprocess.run(
            ["paplay", f"--device={SPEAKER}", str(wav)], env=self.env, check=True, timeout=120
        )

    def close(self) -> None:
        """Stop the server."""
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=30)
