"""The microphone in words a user recognises, not PortAudio's "default (32 channels)".

Under PulseAudio or PipeWire, PortAudio only sees ALSA's "default" or "pulse"
device, a mixer with up to 32 channels; the microphone behind it is the sound
server's default source, which `pactl` names.
"""

from __future__ import annotations

import os
import shutil
import subprocess

#: PortAudio device names that stand for "whatever the sound server's default source is".
SERVER_DEVICES = ("default", "pulse", "pipewire", "sysdefault")
PACTL_TIMEOUT_S = 5.0


def describe_input(name: str, channels: int) -> str:
    """One line for the doctor: the source behind a server device, else the device itself."""
    if name.split(" ", 1)[0].lower() in SERVER_DEVICES:
        source = default_source()
        if source is None:
            return f"the sound server's default input (PortAudio device {name!r})"
        return f"{source}: the sound server's default input (PortAudio device {name!r})"
    return f"{name} ({channels} channel{'s' * (channels > 1)})"


def default_source() -> str | None:
    """The description of PulseAudio's (or pipewire-pulse's) default source; None if unknown."""
    if shutil.which("pactl") is None:
        return None
    name = _pactl("get-default-source")
    if not name:
        return None
    listing = _pactl("list", "sources")
    current = None
    for line in listing.splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "Name":
            current = value
        elif key == "Description" and current == name:
            return f"{value} ({name})"
    return name


def _pactl(*args: str) -> str:
    try:
        done = subprocess.run(
            ["pactl", *args],
            capture_output=True,
            text=True,
            timeout=PACTL_TIMEOUT_S,
            check=False,
            env={**os.environ, "LC_ALL": "C"},  # "Name:" and "Description:" untranslated
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
