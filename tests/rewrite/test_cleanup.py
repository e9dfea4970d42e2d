"""strip_chatter removes what small LLMs wrap around a rewrite and nothing else."""

from __future__ import annotations

import pytest

from daemon.rewrite.cleanup import strip_chatter

BODY = "The patient denies chest pain. Metformin 500 mg twice daily."


@pytest.mark.parametrize(
    "wrapped",
    [
        pytest.param(f"Here's the corrected text:\n{BODY}", id="heres-the-corrected-text"),
        pytest.param(f"Here’s the corrected text:\n\n{BODY}", id="curly-apostrophe"),
        pytest.param(f"Sure! Here is a more concise version:\n\n{BODY}", id="sure-here-is"),
        pytest.param(f"Sure! Here is a more concise version: {BODY}", id="intro-on-same-line"),
        pytest.param(f"Here is the rewritten text.\n{BODY}", id="intro-ending-in-period"),
        pytest.param(f"Certainly!\n{BODY}", id="interjection-line"),
        pytest.param(f"I've corrected the text:\n{BODY}", id="i-have-corrected"),
        pytest.param(f"Rewritten text:\n{BODY}", id="label-line"),
        pytest.param(f"Corrected: {BODY}", id="label-inline"),
        pytest.param(f"**Corrected text:**\n{BODY}", id="markdown-label"),
        pytest.param(f"Output:\n{BODY}", id="output-label"),
        pytest.param(f"{BODY}\n\nLet me know if you need anything else.", id="let-me-know"),
        pytest.param(f"{BODY}\n\nI hope this helps!", id="hope-this-helps"),
        pytest.param(f"{BODY}\n\nNote: I kept every number unchanged.", id="note-i"),
        pytest.param(
            f"{BODY}\n\n(Note: the original meaning is preserved.)", id="note-in-brackets"
        ),
        pytest.param(
            f"{BODY}\n\nI made minimal changes to keep the meaning.\nFeel free to ask for more.",
            id="two-trailing-lines",
        ),
        pytest.param(f"{BODY}\n---\nLet me know if you'd like further edits.", id="rule-line"),
        pytest.param(
            f"{BODY}\n\nI've made the text shorter with no other changes. I'll keep going.",
            id="i-made-the-text-shorter",
        ),
        pytest.param(
            f"{BODY}\n\nI made the following changes:\n\n1. Fixed grammar.\n2. Shortened it.",
            id="list-of-changes",
        ),
        pytest.param(
            f'{BODY}\n\nI changed "Pt" to "patient". I also replaced "with" with "for".',
            id="explained-replacements",
        ),
        pytest.param(
            f"{BODY} Let me know if you would like any further changes.",
            id="offer-of-edits-in-last-line",
        ),
        pytest.param(f'"{BODY}"', id="straight-quotes"),
        pytest.param(f"“{BODY}”", id="curly-quotes"),
        pytest.param(f"```\n{BODY}\n```", id="fence"),
        pytest.param(f"```text\n{BODY}\n```", id="fence-with-language"),
        pytest.param(f"  \n{BODY}\n\n  ", id="whitespace"),
        pytest.param(
            f"Sure! Here's the corrected text:\n```\n{BODY}\n```\nLet me know if you need"
            " anything else!",
            id="everything-at-once",
        ),
        pytest.param(
            f'Certainly! Here\'s a revised version of your text:\n\n"{BODY}"\n\nI hope this helps!',
            id="intro-quotes-sign-off",
        ),
    ],
)
def test_chatter_around_the_rewrite_is_removed(wrapped: str) -> None:
    assert strip_chatter(wrapped) == BODY


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BODY, id="one-line"),
        pytest.param(
            "Dear Dr Smith,\n\nThe patient is stable.\n\nKind regards,\nAnna", id="letter"
        ),
        pytest.param(
            "The patient denies chest pain. Here is the plan: aspirin 81 mg daily.",
            id="here-in-the-middle",
        ),
        pytest.param("Here is where the pain started.\nIt spread to the arm.", id="here-sentence"),
        pytest.param("Here are the results of the CT:\nNo bleed.", id="here-without-rewrite-words"),
        pytest.param("Note: patient to return in 2 weeks.", id="note-with-content"),
        pytest.param("Wound cleaned.\nI kept the original dressing on.", id="first-person-note"),
        pytest.param(
            "I have reviewed the text messages.\nShe is well.", id="first-person-first-line"
        ),
        pytest.param(
            "Plan discussed.\nNote: patient prefers morning appointments.",
            id="trailing-note-content",
        ),
        pytest.param("Sure!", id="nothing-but-an-interjection"),
        pytest.param("The patient's knee is swollen.", id="apostrophe"),
        pytest.param('"Stop" means stop, "go" means go', id="quotes-inside"),
        pytest.param("Use ``` to fence code in Markdown.", id="backticks-inside"),
        pytest.param(
            "Results are back. Let me know if you have any questions.", id="email-closing-inline"
        ),
    ],
)
def test_clean_input_is_unchanged(text: str) -> None:
    assert strip_chatter(text) == text


def test_single_quotes_around_text_with_an_apostrophe_are_removed() -> None:
    assert strip_chatter("'The patient's knee is swollen.'") == "The patient's knee is swollen."


def test_chatter_that_is_also_in_the_source_stays() -> None:
    source = "Results attached.\nLet me know if you need anything else."
    rewrite = "Results are attached.\n\nLet me know if you need anything else."
    assert strip_chatter(rewrite, source=source) == rewrite
    assert strip_chatter(rewrite) == "Results are attached."


def test_quotes_the_source_had_stay() -> None:
    assert strip_chatter('"Hold metformin."', source='"Hold metformin"') == '"Hold metformin."'
