"""Microphone figure: how late a cold audio source delivers its first block.

This delay is what a dictation opened on key press loses (hotkeys.warm_microphone
exists for it). Measured in a child process: PortAudio reads PULSE_SERVER when
it initialises, so the benchmark's private PulseAudio needs a fresh process.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from daemon.bench.common import BenchError


def first_block_seconds(env: dict[str, str]) -> float:
    """Seconds from starting an input stream to its first block, on the server `env` names."""
    done = subprocess.run(
        [sys.executable, "-m", "daemon.bench.microphone"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise BenchError(f"the microphone could not be measured: {done.stderr.strip()[-300:]}")
    return round(float(done.stdout.strip()), 3)


def _measure() -> float:
    # sounddevice directly, as hotkeys.microphone opens it: daemon/ never imports hotkeys.
    import sounddevice as sd

    arrived = threading.Event()
    stream = sd.RawInputStream(
        samplerate=16_000,
        channels=1,
        dtype="int16",
        blocksize=800,
        callback=lambda *_args: arrived.set(),
    )
    started = time.perf_counter()
    stream.start()
    try:
        if not arrived.wait(30):
            raise SystemExit("no audio arrived within 30 s")
        return time.perf_counter() - started
    finally:
        stream.stop()
        stream.close()


if __name__ == "__main__":
    print(_measure())
