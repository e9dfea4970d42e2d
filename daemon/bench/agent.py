"""Agent figure: key release to text inserted, through the whole chain on a virtual desktop.

Xvfb, a PulseAudio virtual microphone, an xterm with the focus, and a daemon whose
agent listens for the real push-to-talk hotkey (sent through XTEST by xdotool).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from daemon.bench.common import BenchDaemon, BenchError, bench_daemon, median, wait
from daemon.bench.desktop import PulseAudio, require, start_xvfb
from daemon.bench.microphone import first_block_seconds
from daemon.speech.audio import SAMPLE_RATE, decode_audio

LATENCY = re.compile(r"dictation inserted ([0-9.]+) s after key release")
CONFIG = '[hotkeys]\naudio_cues = false\n[speech]\nmodel = "{model}"\n'


@contextmanager
def _desktop(folder: Path) -> Iterator[tuple[str, PulseAudio]]:
    require("xdotool", "xterm")
    xvfb, display = start_xvfb(folder / "xvfb.log")
    pulse = PulseAudio(folder)
    try:
        yield display, pulse
    finally:
        pulse.close()
        xvfb.terminate()
        xvfb.wait(10)


def _utterance(source: Path, target: Path) -> Path:
    """The speech with a short pause before and after, as a person holding a key speaks."""
    audio = decode_audio(source.read_bytes())
    pause = np.zeros(int(0.4 * SAMPLE_RATE), np.float32)
    pcm = (np.concatenate((pause, audio, pause)) * 32767).astype("<i2").tobytes()
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
    return target


def _press_talk_release(display: str, pulse: PulseAudio, speech: Path) -> None:
    env = {**pulse.env, "DISPLAY": display}
    subprocess.run(["xdotool", "keydown", "ctrl+alt+space"], env=env, check=True)
    pulse.play(speech)
    subprocess.run(["xdotool", "keyup", "space", "ctrl", "alt"], env=env, check=True)


def _latencies(daemon: BenchDaemon) -> list[float]:
    return [float(match) for match in LATENCY.findall(daemon.log())]


def bench_agent(model: str, user_models: Path, speech: Path, reps: int) -> dict[str, Any]:
    """Median seconds from push-to-talk release to the text typed into xterm."""
    with tempfile.TemporaryDirectory(prefix="sottovoce-desktop-") as name:
        folder = Path(name)
        utterance = _utterance(speech, folder / "utterance.wav")
        seconds = len(decode_audio(utterance.read_bytes())) / SAMPLE_RATE
        with _desktop(folder) as (display, pulse):
            env = {"DISPLAY": display, **pulse.client_env}
            # The fresh server's source has had no client yet: this is the cold delay.
            cold = first_block_seconds({**pulse.env, "DISPLAY": display})
            terminal = subprocess.Popen(
                ["xterm", "-e", "sh", "-c", f"cat > {folder / 'typed.txt'}"],
                env={**pulse.env, "DISPLAY": display},
            )
            try:
                with bench_daemon(CONFIG.format(model=model), user_models, env) as daemon:
                    wait(lambda: "hotkeys are ready" in daemon.log(), 120)
                    for rep in range(reps):
                        _press_talk_release(display, pulse, utterance)
                        wait(lambda rep=rep: len(_latencies(daemon)) > rep, 120)  # type: ignore[misc]
                    latencies = _latencies(daemon)
            finally:
                terminal.terminate()
                terminal.wait(10)
    if not latencies:
        raise BenchError("no dictation reached the xterm")
    return {
        "audio_seconds": round(seconds, 2),
        "release_to_text_inserted_seconds": median(latencies),
        "runs": len(latencies),
        # What a microphone opened on key press loses; hotkeys.warm_microphone keeps it open.
        "cold_microphone_first_block_seconds": cold,
    }
