"""`sottovoce bench --parts asr`: its figures, and the scoring they come from."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from daemon.bench.asr import score, sentences, summarise
from daemon.bench.asr_streamed import dictations, streamed_over_batch
from daemon.speech.audio import SAMPLE_RATE
from daemon.speech.lexicon import drug_names
from tests.support.daemon import sottovoce


def test_the_asr_bench_prints_figures_per_variant_model_and_voice(isolated_home: Path) -> None:
    result = sottovoce(
        "bench", "--parts", "asr", "--voices", "flite", "--sentences", "1",
        "--variants", "default", home=isolated_home, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)["asr"]
    assert figures["voices"] == ["flite"]
    assert {"whisper-base", "whisper-tiny.en"} <= set(figures["models"])
    assert set(figures["variants"]) == {"default"}  # the shipped config; the others alike
    for per_model in figures["variants"].values():
        for model in figures["models"]:
            flite = per_model[model]["flite"]
            assert flite["all"]["sentences"] == 4
            assert flite["tune"]["sentences"] == flite["held_out_blind_2"]["sentences"] == 1
            assert 0 <= flite["all"]["wer"] <= 2
            assert flite["all"]["runaways"] == 0
            assert flite["all"]["drugs_added"] >= 0  # counted, where a wrong drug shows
            assert flite["real_time_factor"] > 0
            for streamed in flite["streamed"].values():  # one sentence: one dictation
                assert set(streamed) == {"10s", "streamed_wer", "batch_wer", "streamed_over_batch"}
                assert 0 <= streamed["streamed_wer"] <= 2 and 0 <= streamed["batch_wer"] <= 2


def test_an_unknown_variant_is_named_before_anything_runs(isolated_home: Path) -> None:
    result = sottovoce("bench", "--parts", "asr", "--variants", "loud", home=isolated_home)
    assert result.returncode != 0
    assert "unknown asr variant(s) ['loud']" in result.stderr


def test_scores_count_drugs_negations_and_units_as_said() -> None:
    said = "He denies pain and takes metformin 500 milligrams, not lisinopril."
    perfect = score(said, "He denies pain and takes Metformin 500mg, not lisinopril.")
    assert perfect == {
        "wer": 0.0, "drugs": 2, "drugs_right": 2, "drugs_added": 0, "negations": 2,
        "negations_kept": 2, "runaway": 0,
    }  # fmt: skip
    lost = score(said, "He dies pain and takes met form in 500 milligrams, not lisinopril.")
    assert (lost["drugs_right"], lost["negations_kept"], lost["drugs_added"]) == (1, 1, 0)
    wrong = score(said, "He denies pain and takes metformin 500 mg, not losartan or lisinopril.")
    assert (wrong["drugs_right"], wrong["drugs_added"]) == (2, 1)
    assert score(said, "no " * 30)["runaway"] == 1
    summary = summarise([perfect, lost])
    assert (summary["drug_accuracy"], summary["negation_recall"]) == (0.75, 0.75)
    assert summarise([perfect, lost, wrong])["drugs_added"] == 1
    assert summarise([score("Rest and fluids.", "Rest and fluids.")])["drug_accuracy"] is None


def test_the_sentence_set_has_a_held_out_part_and_names_drugs_and_negations() -> None:
    sets = sentences()
    assert len(sets["tune"]) >= 20 and len(sets["held_out"]) >= 10
    every = [s for split in sets.values() for s in split]
    assert len(set(every)) == len(every)  # no sentence in two splits
    for blind in (sets["held_out_blind"], sets["held_out_blind_2"]):
        assert len(blind) >= 20
        assert len({w.strip(".,;").lower() for s in blind for w in s.split()} & drug_names()) >= 12
        assert sum(score(s, s)["negations"] for s in blind) >= 15
    named = {w.strip(".,;").lower() for s in every for w in s.split()} & drug_names()
    assert len(named) >= 15
    assert sum(score(s, s)["negations"] for s in every) >= 20


def test_streamed_dictations_join_the_first_sentences_that_reach_each_length() -> None:
    clips = [(f"Sentence {n}.", np.ones(4 * SAMPLE_RATE, np.float32)) for n in range(12)]
    joined = dictations(clips)
    assert list(joined) == ["10s", "40s"]
    short_text, short = joined["10s"]
    assert short_text == "Sentence 0. Sentence 1. Sentence 2."
    # Three sentences, a pause after the first two and a shorter one before release.
    assert len(short) == 12 * SAMPLE_RATE + 2 * int(0.4 * SAMPLE_RATE) + int(0.4 * SAMPLE_RATE)
    assert joined["40s"][0].count("Sentence") == 10
    assert list(dictations(clips[:2])) == ["10s"]  # too few for a second, longer one
    assert (streamed_over_batch(0.2, 0.1), streamed_over_batch(0, 0)) == (2.0, 1.0)
    assert streamed_over_batch(0.1, 0) is None
