"""`sottovoce bench` runs and prints its figures as JSON (what they are is for people to read)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daemon.bench.common import word_error_rate
from tests.support.daemon import sottovoce


def test_bench_prints_speech_and_llm_ratios_as_json(isolated_home: Path) -> None:
    result = sottovoce(
        "bench", "--parts", "speech,llm", "--reps", "1", home=isolated_home, timeout=600
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["egress"]["protection"] == "kernel: seccomp + network namespace"
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


@pytest.mark.parametrize(
    "hypothesis, expected",
    [
        ("He denies chest pain.", 0.0),
        ("he DENIES chest-pain", 0.0),  # case, punctuation and hyphens do not count
        ("He has chest pain.", 0.25),  # the negation became another word
        ("He chest pain.", 0.25),  # the negation was dropped
        ("He denies no chest pain.", 0.25),  # a word was added
        ("", 1.0),
    ],
)
def test_word_error_rate_counts_substitutions_deletions_and_insertions(
    hypothesis: str, expected: float
) -> None:
    assert word_error_rate("He denies chest pain.", hypothesis) == expected


@pytest.mark.parametrize(
    "reference, hypothesis, expected",
    [
        # Written as a reader takes them (the Whisper paper's normaliser): not an error,
        ("Recheck in six weeks.", "Recheck in 6 weeks.", 0.0),
        ("Saturation 95 percent.", "Saturation 95%.", 0.0),
        ("Metformin 500 milligrams.", "Metformin 500mg.", 0.0),
        ("He does not smoke.", "He doesn't smoke.", 0.0),
        ("Haemoglobin is low.", "Hemoglobin is low.", 0.0),
        # but another number, or a word that turns the meaning round, is.
        ("Start forty milligrams.", "Start 14 milligrams.", 1 / 3),
        ("Dose unchanged.", "Dose changed.", 0.5),
    ],
)
def test_word_error_rate_counts_what_a_reader_would_call_a_different_word(
    reference: str, hypothesis: str, expected: float
) -> None:
    assert word_error_rate(reference, hypothesis) == round(expected, 3)
