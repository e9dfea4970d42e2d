"""The rewrite bench's own judgement, independent of the daemon's guard, and its note sets."""

from __future__ import annotations

from daemon.assets import asset_path
from daemon.bench.rewrite import SETS, clinical_tokens, judge, load_notes


def _answer(text: str, ok: bool = True) -> dict[str, object]:
    return {"text": text, "fidelity": {"ok": ok}}


def test_the_independent_check_sees_changed_digits_negations_and_sides() -> None:
    source = "denies fever. bp 140/90. L knee pain."
    assert judge(source, _answer("Denies fever. BP 140/90. Left knee pain."))["independent_ok"]
    assert not judge(source, _answer("Denies fever. BP 150/90. L knee pain."))["independent_ok"]
    assert not judge(source, _answer("Fever. BP 140/90. L knee pain."))["independent_ok"]
    assert not judge(source, _answer("Denies fever. BP 140/90. R knee pain."))["independent_ok"]


def test_chatter_no_ops_and_the_guard_verdict_are_judged() -> None:
    source = "pt denies fever."
    verdict = judge(source, _answer("Here is the text: Pt denies fever.", ok=False))
    assert verdict["chatter"] and not verdict["guard_ok"]
    assert not judge(source, _answer("pt  denies fever."))["changed"]
    assert clinical_tokens("no fever, 2 x 3 cm") == {"negation": 1, "2": 1, "3": 1}


def test_the_shipped_sets_are_separate_and_large_enough() -> None:
    tuning, heldout, heldout2 = (load_notes(asset_path("rewrite", f"{name}.json")) for name in SETS)
    assert len(heldout) >= 30 and len(heldout2) >= 30 and len(tuning) >= 10
    assert not set(tuning) & set(heldout) and not set(tuning) & set(heldout2)
    assert not set(heldout) & set(heldout2)


def test_the_judgement_tells_a_model_rewrite_from_a_tidy_only_answer() -> None:
    tidy_only = {**_answer("Pt denies fever."), "pieces": [{"reason": "unfaithful"}]}
    by_model = {**_answer("Patient denies fever."), "pieces": [{"reason": "rewritten"}]}
    assert not judge("pt denies fever", tidy_only)["model_rewrote"]
    assert judge("pt denies fever", by_model)["model_rewrote"]
    sorted_answer = {
        **_answer("Subjective:\npt denies fever"),
        "pieces": [{"reason": "cue", "section": "Subjective"}],
    }
    assert judge("pt denies fever", sorted_answer)["sorted"]
    assert not judge("pt denies fever", by_model)["sorted"]
