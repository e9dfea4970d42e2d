"""What a model returns for a piece is rejected when it is chatter or degenerate."""

from __future__ import annotations

import pytest

from daemon.rewrite.chatter import reject_reason, repeats

PIECE = "pt denies fever, bp 140/90."


@pytest.mark.parametrize(
    "output, reason",
    [
        ("The text could be rephrased to: Pt denies fever, BP 140/90.", "meta-commentary"),
        ("This sentence can be corrected as Pt denies fever.", "meta-commentary"),
        ("I'm sorry, but I cannot help with medical records.", "refusal"),
        ("As a medical professional, I'm not equipped to give advice.", "refusal"),
        ("As an AI language model I can rewrite: Pt denies fever.", "refusal"),
        ("Please consult a doctor about the fever, BP 140/90.", "refusal"),
        ("Premise: pt denies fever. Hypothesis: BP 140/90.", "template"),
        ("Corrected: Pt denies fever, BP 140/90.", "template"),
        ('"Pt denies fever, BP 140/90."', "quotes"),
        ("Pt denies fever, BP 140/90. Pt denies fever, BP 140/90.", "repetition"),
        ("Pt denies fever, fever, fever, fever, fever, fever.", "repetition"),
        (
            "Subjective: fever. Subjective: fever. Subjective: fever. Subjective: fever.",
            "repetition",
        ),
        ("", "empty"),
        ("Pt.", "too short"),
        (
            "Pt denies fever, BP 140/90, and is otherwise well, eating and sleeping normally, "
            "walking to the shops every day, and looking forward to the holidays.",
            "too long",
        ),
    ],
)
def test_chatter_and_degenerate_output_is_rejected(output: str, reason: str) -> None:
    assert reject_reason(output, PIECE) == reason


@pytest.mark.parametrize(
    "output",
    ["Pt denies fever, BP 140/90.", "Patient denies fever; blood pressure 140/90."],
)
def test_a_plain_rewrite_passes(output: str) -> None:
    assert reject_reason(output, PIECE) is None


def test_a_phrase_the_source_has_is_not_held_against_the_rewrite() -> None:
    source = 'pt says "I am sorry i missed the appointment", denies pain.'
    assert (
        reject_reason('Pt says "I am sorry I missed the appointment" and denies pain.', source)
        is None
    )


def test_a_loop_at_the_end_of_a_stream_is_a_runaway() -> None:
    assert repeats("Pt denies fever" + ", BP 140/90" * 4)
    assert not repeats("Pt denies fever, BP 140/90, HR 88, RR 16.")
