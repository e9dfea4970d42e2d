"""A hostile upload cannot take the machine down: decoding happens in the speech worker,
under its memory limit, and the daemon keeps serving with its own memory untouched."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from openai import BadRequestError, OpenAI

from tests.support.daemon import health, start_daemon, write_config
from tests.support.speech import silence, speak, words

SENTENCE = "The patient denies chest pain and shortness of breath."
LIMIT_MB = 600


@pytest.fixture
def silence_bomb(tmp_path: Path) -> Path:
    """Under 1 MB of FLAC that decodes to four hours (1.8 GB as float32 samples)."""
    path = tmp_path / "bomb.flac"
    silence(path, "4:00:00")
    assert path.stat().st_size < 1 << 20
    return path


def test_an_upload_that_decodes_to_hours_is_refused_within_the_limit(
    tmp_path: Path, silence_bomb: Path
) -> None:
    home = tmp_path / "home"
    write_config(home, f"[sandbox]\nmemory_limit_mb = {LIMIT_MB}\n")
    daemon = start_daemon(home)
    try:
        assert health(daemon)["egress"]["memory_limit_mb"] == LIMIT_MB  # type: ignore[index]
        daemon_process = psutil.Process(daemon.process.pid)
        with OpenAI(base_url=daemon.base_url + "/v1", api_key=daemon.token, max_retries=0) as api:
            with silence_bomb.open("rb") as audio, pytest.raises(BadRequestError) as refused:
                api.audio.transcriptions.create(model="whisper-1", file=audio)
            # Refused by the memory limit or, when the decoding fits, by the length limit.
            message = refused.value.message
            assert f"{LIMIT_MB} MiB" in message or "longer than the limit" in message
            # The worker survived its MemoryError and transcribes the next upload.
            with speak(SENTENCE, tmp_path / "s.wav").open("rb") as audio:
                after = api.audio.transcriptions.create(model="whisper-1", file=audio)
        assert words(after.text) == words(SENTENCE)
        # The daemon never held the decoded audio: its peak stays far below one copy.
        peak_kb = int(
            next(
                line.split()[1]
                for line in Path(f"/proc/{daemon_process.pid}/status").read_text().splitlines()
                if line.startswith("VmHWM:")
            )
        )
        assert peak_kb < 300 * 1024, peak_kb
    finally:
        assert daemon.stop() == 0
