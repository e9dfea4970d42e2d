"""A full disk under the history: every answer says whether its result was stored,
health reports the history as degraded with the reason, and the daemon stores
entries again by itself once space returns. Nothing is claimed as recorded that is not."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from tests.support.daemon import RunningDaemon, health, sottovoce, start_daemon, write_config
from tests.support.speech import ALSA_SOUNDS

CONFIG = """
[speech]
model = "whisper-tiny.en"

[llm]
max_tokens = 24
"""
SOUNDS = ("Front_Left.wav", "Front_Right.wav", "Rear_Center.wav")


@pytest.fixture
def small_data_folder(tmp_path: Path) -> Iterator[Path]:
    """The home's data folder (history.db and its WAL) on a 2 MiB tmpfs of its own."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    data = tmp_path / "home" / "data"
    data.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(data)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data)], check=True)


def _fill(folder: Path) -> Path:
    """Take every free byte of the file system under `folder`."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for size in (1 << 16, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * size)
    finally:
        os.close(descriptor)
    with pytest.raises(OSError) as full:
        (folder / "one-more").write_bytes(b"x" * 4096)
    assert full.value.errno == errno.ENOSPC
    return filler


def _transcribe(api: OpenAI, name: str) -> tuple[str, str]:
    """The text and the history header of one real transcription."""
    with (ALSA_SOUNDS / name).open("rb") as audio:
        raw = api.audio.transcriptions.with_raw_response.create(model="whisper-1", file=audio)
    return raw.parse().text, raw.headers["x-sottovoce-history"]


def _streamed_rewrite_history(daemon: RunningDaemon) -> object:
    """The `history` field of a streamed rewrite's final result event."""
    body = {"text": "No fever, BP 120/80.", "preset": "proofread", "stream": True}
    request = urllib.request.Request(
        daemon.base_url + "/v1/rewrite",
        data=json.dumps(body).encode(),
        headers={**daemon.headers, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200
        text = response.read().decode()
    events = [
        json.loads(line.removeprefix("data: "))
        for line in text.splitlines()
        if line.startswith("data: {")
    ]
    results = [event for event in events if event.get("type") == "result"]
    assert len(results) == 1
    return results[0]["history"]


def _history_state(daemon: RunningDaemon) -> dict[str, object]:
    state = health(daemon)["history"]
    assert isinstance(state, dict)
    return state


def test_a_full_disk_is_reported_and_the_history_recovers(
    tmp_path: Path, small_data_folder: Path
) -> None:
    home = tmp_path / "home"
    write_config(home, CONFIG)
    daemon = start_daemon(home)
    claimed: list[str] = []
    try:
        with OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as api:
            text, recorded = _transcribe(api, SOUNDS[0])
            assert recorded == "recorded"
            claimed.append(text)
            assert _history_state(daemon)["state"] == "open"

            filler = _fill(small_data_folder)
            answers = [_transcribe(api, name) for name in SOUNDS * 3]
            claimed += [text for text, recorded in answers if recorded == "recorded"]
            refused = [text for text, recorded in answers if recorded == "not_recorded"]
            assert len(claimed) + len(refused) == 1 + len(answers)  # no third answer
            assert refused, "the disk was full, yet every entry was said to be stored"
            state = _history_state(daemon)
            assert state["state"] == "degraded"
            assert "disk is full" in str(state["error"])

            # The CLI says so too.
            cli = sottovoce(
                "rewrite", "--force", "--preset", "proofread", "BP 120/80, no fever.", home=home
            )
            assert cli.returncode == 0, cli.stderr
            assert "not in the history" in cli.stderr
            spoken = str(ALSA_SOUNDS / SOUNDS[2])
            dictated = sottovoce("dictate", "--speed", "0", "--quiet", spoken, home=home)
            assert dictated.returncode == 0, dictated.stderr
            assert "not in the history" in dictated.stderr
            assert _streamed_rewrite_history(daemon) == "not_recorded"

            filler.unlink()
            text, recorded = _transcribe(api, SOUNDS[1])
            assert recorded == "recorded"
            claimed.append(text)
            assert _history_state(daemon) == {"state": "open", "retention_days": 30}

            stored = api.get("/history?limit=100", cast_to=object)
        assert isinstance(stored, dict)
        texts = sorted(entry["output_text"] for entry in stored["data"])
        # Exactly what was claimed: nothing more, nothing less.
        assert texts == sorted(claimed)
        assert "history degraded" in daemon.log() and "history recovered" in daemon.log()
    finally:
        assert daemon.stop() == 0
