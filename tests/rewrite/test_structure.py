"""SOAP: cues narrow each sentence's section, the grammar admits only those, sentences stay verbatim."""

from __future__ import annotations

import pytest

from daemon.rewrite.chatter import reject_reason
from daemon.rewrite.fidelity import check_fidelity
from daemon.rewrite.novelty import dropped, lost_actions, novelty
from daemon.rewrite.presets import EXAMPLES
from daemon.rewrite.structure import SOAP, question, render


@pytest.mark.parametrize(
    "sentence, section",
    [
        ("Pt denies chest pain.", "Subjective"),
        ("BP 140/90, HR 88.", "Objective"),
        ("Probable viral tonsillitis.", "Assessment"),
        ("Continue lisinopril 10 mg daily.", "Plan"),
    ],
)
def test_a_sentence_with_one_kind_of_cue_is_settled_without_the_model(
    sentence: str, section: str
) -> None:
    assert question(sentence).settled == section


def test_the_grammar_admits_exactly_the_candidate_sections() -> None:
    mixed = question("Pt reports BP 150/90 at home.")
    assert mixed.candidates == ("Subjective", "Objective") and mixed.settled is None
    assert mixed.grammar() == 'root ::= "Subjective" | "Objective"'
    assert question("Talked about the weekend.").candidates == SOAP


def test_render_copies_each_sentence_once_under_its_heading() -> None:
    text = render([("Plan", "f/u 2 wk."), ("Subjective", "c/o cough."), ("Plan", "cxr.")])
    assert text == "Subjective:\nc/o cough.\n\nPlan:\nf/u 2 wk.\ncxr."


@pytest.mark.parametrize("piece, rewrite", [pair for pairs in EXAMPLES.values() for pair in pairs])
def test_every_few_shot_example_is_itself_a_faithful_rewrite(piece: str, rewrite: str) -> None:
    assert check_fidelity(piece, rewrite).ok
    assert reject_reason(rewrite, piece) is None
    assert not lost_actions(rewrite, piece)


def test_invented_and_dropped_words_are_measured_and_spelling_fixes_are_not() -> None:
    assert novelty("Fixing wound 2 weeks ago.", "f/u in 2 weeks.") > 0.5
    assert dropped("Wound 3 cm, no infection.", "wound 3 cm, clean, no signs of infection.") > 0.3
    assert (
        novelty("The patient has received her medication.", "pt have recieved her medicaton") == 0
    )
    assert lost_actions("Lisinopril 10 mg daily.", "Continue lisinopril 10 mg daily.")
