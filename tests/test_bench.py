"""`sottovoce bench` runs and prints its figures as JSON (what they are is for people to read)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.daemon import sottovoce


def test_bench_prints_speech_and_llm_ratios_as_json(isolated_home: Path) -> None:
    result = sottovoce(
        "bench", "--parts", "speech,llm", "--reps", "1", home=isolated_home, timeout=600
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["speech"]["model"] == "whisper-base"
    assert figures["speech"]["api_over_direct"] > 0
    assert 0 < figures["speech"]["real_time_factor"] < 10
    for key in (
        "ttft_api_over_direct",
        "tokens_per_second_api_over_direct",
        "rewrite_ttft_second_over_first",
    ):
        assert figures["llm"][key] > 0


def test_bench_refuses_an_unknown_part(isolated_home: Path) -> None:
    result = sottovoce("bench", "--parts", "gpu", home=isolated_home)
    assert result.returncode == 1
    assert "unknown bench part" in result.stderr
