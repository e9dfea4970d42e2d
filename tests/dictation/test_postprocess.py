"""Replacements, number normalisation and spoken commands on recognised text."""

from __future__ import annotations

import pytest

from daemon.config import DictationSettings
from daemon.dictation.postprocess import TextRules, apply_commands, apply_rules
from daemon.errors import ConfigError

PLAIN = TextRules(spoken_commands=False)


def test_the_brief_example_becomes_clean_text() -> None:
    rules = TextRules(replacements={"met for min": "metformin"}, normalize_numbers=True)
    text = (
        "Patient denies chest pain, new paragraph. "
        "Started met for min five hundred milligrams period"
    )
    expected = "Patient denies chest pain\n\nStarted metformin 500 mg."
    assert apply_rules(text, rules) == expected


def test_replacements_ignore_case_and_keep_the_replacement_as_written() -> None:
    rules = TextRules(
        replacements={"met for min": "Metformin", "cabg": "CABG"}, spoken_commands=False
    )
    assert apply_rules("Met For Min after cabg.", rules) == "Metformin after CABG."


def test_replacements_match_whole_words_only() -> None:
    rules = TextRules(replacements={"met": "MET"}, spoken_commands=False)
    assert apply_rules("met metformin, met.", rules) == "MET metformin, MET."


def test_the_longest_replacement_pattern_wins() -> None:
    rules = TextRules(replacements={"met": "X", "met for min": "metformin"}, spoken_commands=False)
    assert apply_rules("met for min", rules) == "metformin"


def test_replacements_run_once_without_cascading() -> None:
    rules = TextRules(replacements={"a": "b", "b": "c"}, spoken_commands=False)
    assert apply_rules("a b", rules) == "b c"


def test_replacement_text_is_not_a_regex_template() -> None:
    rules = TextRules(replacements={"x": r"\1 \g<0>"}, spoken_commands=False)
    assert apply_rules("x", rules) == r"\1 \g<0>"


def test_replacement_patterns_tolerate_extra_spaces() -> None:
    rules = TextRules(replacements={"met for min": "metformin"}, spoken_commands=False)
    assert apply_rules("met  for min", rules) == "metformin"


def test_an_empty_replacement_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="empty"):
        TextRules(replacements={"  ": "x"})


def test_rules_come_from_the_dictation_settings() -> None:
    settings = DictationSettings(
        replacements={"met for min": "metformin"}, spoken_commands=False, normalize_numbers=True
    )
    rules = TextRules.from_settings(settings)
    assert rules.replacements == {"met for min": "metformin"}
    assert rules.spoken_commands is False
    assert rules.normalize_numbers is True


def test_numbers_are_left_alone_unless_enabled() -> None:
    assert apply_rules("five hundred milligrams", PLAIN) == "five hundred milligrams"


def test_spoken_commands_are_left_alone_when_disabled() -> None:
    text = "chest pain, new paragraph. Period."
    assert apply_rules(text, PLAIN) == text


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("chest pain new line denies fever", "chest pain\nDenies fever"),
        ("chest pain new paragraph denies fever", "chest pain\n\nDenies fever"),
        ("chest pain period", "chest pain."),
        ("chest pain full stop", "chest pain."),
        ("chest pain comma fever", "chest pain, fever"),
        ("any pain question mark", "any pain?"),
        ("History colon. Diabetes.", "History: diabetes."),
        ("taking aspirin open paren daily close paren now", "taking aspirin (daily) now"),
        ("taking aspirin open parenthesis daily close parenthesis", "taking aspirin (daily)"),
    ],
)
def test_spoken_commands_become_marks_and_breaks(spoken: str, written: str) -> None:
    assert apply_commands(spoken) == written


def test_punctuation_the_recogniser_put_around_a_command_is_absorbed() -> None:
    assert apply_commands("pain, new paragraph. Started") == "pain\n\nStarted"
    assert apply_commands("pain. Period.") == "pain."
    assert apply_commands("pain, comma, fever") == "pain, fever"


def test_a_sentence_end_before_a_line_break_is_kept() -> None:
    assert apply_commands("He is well. New paragraph. Plan.") == "He is well.\n\nPlan."
    assert apply_commands("Does it hurt? New line. Yes.") == "Does it hurt?\nYes."


def test_the_spoken_mark_replaces_the_recognisers_mark() -> None:
    assert apply_commands("chest pain, period") == "chest pain."
    assert apply_commands("chest pain. Question mark.") == "chest pain?"


def test_a_word_after_a_sentence_end_command_is_capitalised() -> None:
    assert apply_commands("pain period. and then fever") == "pain. And then fever"
    assert apply_commands("pain comma fever new line cough") == "pain, fever\nCough"


def test_period_colon_and_scratch_that_mid_phrase_stay_words() -> None:
    text = "pain period and colon pain scratch that itch"
    assert apply_commands(text) == text


def test_a_sentence_the_recogniser_started_after_a_comma_is_lowercased() -> None:
    assert apply_commands("pain. Comma. Shortness of breath.") == "pain, shortness of breath."


def test_the_pronoun_i_and_acronyms_keep_their_capitals() -> None:
    assert apply_commands("fine, comma. I think") == "fine, I think"
    assert apply_commands("fine, comma. ECG normal") == "fine, ECG normal"


def test_spoken_commands_do_not_add_or_change_marks_the_user_did_not_dictate() -> None:
    text = "Patient, 45, denies chest pain (today). Plan: rest!"
    assert apply_commands(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "The period of time was short.",
        "During that period symptoms improved.",
        "Last menstrual period.",
        "He has colon cancer.",
        "Biopsy of the sigmoid colon.",
        "Polyps in the colon.",
        "Started a new line of therapy.",
        "There is a question mark over the diagnosis.",
        "He came to a full stop.",
        "He had a scratch that bled.",
        "Put a comma here.",
    ],
)
def test_command_words_used_as_ordinary_words_stay_words(text: str) -> None:
    assert apply_commands(text) == text


def test_period_counts_before_another_command() -> None:
    assert apply_commands("pain period new line fever") == "pain.\nFever"


def test_scratch_that_removes_the_phrase_since_the_last_pause() -> None:
    text = "Patient takes aspirin, lisinopril, scratch that, metoprolol."
    assert apply_commands(text) == "Patient takes aspirin, metoprolol."


def test_scratch_that_without_punctuation_removes_back_to_the_sentence_start() -> None:
    text = "No fever. Patient denies chest pain scratch that. Reports cough."
    assert apply_commands(text) == "No fever. Reports cough."


def test_scratch_that_removes_the_marks_and_breaks_after_the_phrase() -> None:
    assert apply_commands("Fever. Chest pain period scratch that") == "Fever."
    assert apply_commands("Fever. Cough new paragraph scratch that. Okay") == "Fever. Okay"


def test_scratch_that_at_the_start_leaves_nothing_and_capitalises_what_follows() -> None:
    assert apply_commands("Scratch that.") == ""
    assert apply_commands("Chest pain, scratch that. no fever") == "No fever"


def test_spacing_is_tidied_and_line_breaks_are_kept() -> None:
    assert (
        apply_commands("  Hello  world ,  again \n next line ") == "Hello world, again\nnext line"
    )
