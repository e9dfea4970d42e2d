"""A private PulseAudio server with a virtual microphone that tests can speak into."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SPEAKER = "sv_speaker"
MICROPHONE = "sv_mic"


class PulseAudio:
    """`paplay --device=sv_speaker` plays into the null sink; `sv_mic` records what it plays."""

    def __init__(self, folder: Path) -> None:
        for tool in ("pulseaudio", "pactl", "paplay"):
            if shutil.which(tool) is None:
                pytest.fail(
                    f"the audio tests need {tool} (apt package pulseaudio-utils/pulseaudio)"
                )
        self.runtime = folder / "run"
        self.runtime.mkdir(mode=0o700)
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PULSE_SERVER": f"unix:{self.runtime}/pulse/native",
        }
        self.env.pop("PULSE_COOKIE", None)
        self._log = folder / "pulse.log"
        subprocess.run(
            [
                "pulseaudio",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--system=no",
                "-n",
                "--load=module-native-protocol-unix",
                f"--load=module-null-sink sink_name={SPEAKER}",
                f"--load=module-remap-source master={SPEAKER}.monitor source_name={MICROPHONE}",
                f"--log-target=file:{self._log}",
            ],
            env=self.env,
            check=True,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode:
            if time.monotonic() > deadline:
                pytest.fail(f"PulseAudio did not start:\n{self._log.read_text()}")
            time.sleep(0.05)
        self.pactl("set-default-source", MICROPHONE)

    def pactl(self, *args: str) -> str:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, check=True
        ).stdout

    def play(self, wav: Path) -> None:
        """Play a file into the virtual microphone and wait until it has played."""
        subprocess.run(
            ["paplay", f"--device={SPEAKER}", str(wav)], env=self.env, check=True, timeout=120
        )

    def close(self) -> None:
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=30)
