"""`sottovoce bench --parts upstream` runs end to end against a llama_cpp.server it starts
on loopback with a pinned certificate, and prints its figures (numbers, not verdicts:
the targets are the lead's to read, not a timed assertion)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.daemon import sottovoce


def test_the_upstream_bench_prints_ratios_and_a_concurrency_run(isolated_home: Path) -> None:
    done = sottovoce("bench", "--parts", "upstream", "--reps", "1", home=isolated_home, timeout=900)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["upstream"]
    assert figures["server"].startswith("https://127.0.0.1:")
    for key in ("api_ttft_seconds", "direct_ttft_seconds", "ttft_api_over_direct"):
        assert figures[key] > 0, key
    assert figures["api_tokens_per_second"] > 0 and figures["direct_tokens_per_second"] > 0
    concurrency = figures["concurrency"]
    assert concurrency["daemons"] == 4
    assert concurrency["through_daemons_tokens_per_second"] > 0
    assert concurrency["direct_tokens_per_second"] > 0
    dictation = figures["speech_dictation"]
    assert dictation["audio_seconds"] > 9
    assert dictation["upstream_release_to_text_seconds"] > 0
    assert dictation["local_release_to_text_seconds"] > 0
    assert dictation["upstream_word_error_rate"] < 0.5  # the text came back, not nothing
