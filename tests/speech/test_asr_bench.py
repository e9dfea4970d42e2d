"""`sottovoce bench --parts asr`: its figures, and the scoring they come from."""

from __future__ import annotations

import json
from pathlib import Path

from daemon.bench.asr import score, sentences, summarise
from daemon.speech.lexicon import drug_names
from tests.support.daemon import sottovoce


def test_the_asr_bench_prints_figures_per_variant_model_and_voice(isolated_home: Path) -> None:
    result = sottovoce(
        "bench", "--parts", "asr", "--voices", "flite", "--sentences", "1",
        home=isolated_home, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)["asr"]
    assert figures["voices"] == ["flite"]
    assert {"whisper-base", "whisper-tiny.en"} <= set(figures["models"])
    assert set(figures["variants"]) == {"plain", "clinical"}
    for per_model in figures["variants"].values():
        for model in figures["models"]:
            flite = per_model[model]["flite"]
            assert flite["all"]["sentences"] == 2
            assert flite["tune"]["sentences"] == flite["held_out"]["sentences"] == 1
            assert 0 <= flite["all"]["wer"] <= 2
            assert flite["all"]["runaways"] == 0
            assert flite["real_time_factor"] > 0


def test_scores_count_drugs_negations_and_units_as_said() -> None:
    said = "He denies pain and takes metformin 500 milligrams, not lisinopril."
    perfect = score(said, "He denies pain and takes Metformin 500mg, not lisinopril.")
    assert perfect == {
        "wer": 0.0, "drugs": 2, "drugs_right": 2, "negations": 2, "negations_kept": 2,
        "runaway": 0,
    }  # fmt: skip
    lost = score(said, "He dies pain and takes met form in 500 milligrams, not lisinopril.")
    assert (lost["drugs_right"], lost["negations_kept"]) == (1, 1)
    assert score(said, "no " * 30)["runaway"] == 1
    summary = summarise([perfect, lost])
    assert (summary["drug_accuracy"], summary["negation_recall"]) == (0.75, 0.75)
    assert summarise([score("Rest and fluids.", "Rest and fluids.")])["drug_accuracy"] is None


def test_the_sentence_set_has_a_held_out_part_and_names_drugs_and_negations() -> None:
    sets = sentences()
    assert len(sets["tune"]) >= 20 and len(sets["held_out"]) >= 10
    assert not set(sets["tune"]) & set(sets["held_out"])
    every = [s for split in sets.values() for s in split]
    named = {w.strip(".,;").lower() for s in every for w in s.split()} & drug_names()
    assert len(named) >= 15
    assert sum(score(s, s)["negations"] for s in every) >= 20
