"""Local agreement commits only what two passes in a row agree on."""

from __future__ import annotations

import pytest

from daemon.dictation.agreement import LocalAgreement, Word, join_words, normalise
from daemon.errors import DictationError


def words(*spec: tuple[float, float, str]) -> list[Word]:
    """Words as Whisper gives them: a leading space, except on a piece of a word ("-up")."""
    return [Word(start, end, _spaced(text)) for start, end, text in spec]


def _spaced(text: str) -> str:
    return text if text[:1].isspace() or text[:1] in "-'" else " " + text


def texts(items: list[Word]) -> list[str]:
    return [item.text.strip() for item in items]


def two_passes(
    agreement: LocalAgreement, hypothesis: list[Word], offset: float = 0.0
) -> list[Word]:
    """The same hypothesis from two passes in a row; returns what the second committed."""
    agreement.insert(hypothesis, offset=offset)
    agreement.flush()
    agreement.insert(hypothesis, offset=offset)
    return agreement.flush()


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert normalise(" Pain,") == normalise("pain") == "pain"


def test_join_words_drops_the_models_leading_spaces() -> None:
    assert join_words(words((0, 1, " Chest"), (1, 2, " pain."))) == "Chest pain."


def test_join_words_keeps_the_models_spacing_inside_a_word() -> None:
    pieces = [Word(0, 0.3, " A"), Word(0.3, 0.6, " 62"), Word(0.6, 0.8, "-year")]
    pieces += [Word(0.8, 1.0, "-old"), Word(1.0, 1.3, " needs"), Word(1.3, 1.6, " follow")]
    pieces += [Word(1.6, 1.8, "-up.")]
    assert join_words(pieces) == "A 62-year-old needs follow-up."
    # A word that opens a later pass without its space is still a word of its own.
    assert join_words([Word(0, 0.5, " Chest"), Word(0.9, 1.2, "pain")]) == "Chest pain"


def test_the_first_hypothesis_commits_nothing() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.0, 0.4, "Chest"), (0.4, 0.8, "pain")), offset=0.0)
    assert agreement.flush() == []
    assert texts(agreement.tail()) == ["Chest", "pain"]


def test_growing_hypotheses_commit_the_agreed_prefix() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.0, 0.4, "Chest"), (0.4, 0.8, "pain")), offset=0.0)
    agreement.flush()
    agreement.insert(words((0.0, 0.4, "Chest"), (0.4, 0.8, "pain,"), (0.9, 1.3, "no")), offset=0.0)
    committed = agreement.flush()
    assert texts(committed) == ["Chest", "pain,"]
    assert agreement.committed_text() == "Chest pain,"
    assert agreement.last_committed_end == 0.8
    assert texts(agreement.tail()) == ["no"]


def test_a_word_that_changes_between_passes_is_not_committed() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.0, 0.4, "Started"), (0.4, 0.9, "met")), offset=0.0)
    agreement.flush()
    agreement.insert(words((0.0, 0.4, "Started"), (0.4, 1.2, "metformin")), offset=0.0)
    assert texts(agreement.flush()) == ["Started"]
    agreement.insert(
        words((0.0, 0.4, "Started"), (0.4, 1.2, "metformin"), (1.3, 1.6, "daily")), offset=0.0
    )
    assert texts(agreement.flush()) == ["metformin"]
    assert agreement.committed_text() == "Started metformin"


def test_committed_words_are_never_committed_twice() -> None:
    agreement = LocalAgreement()
    hypothesis = words((0.0, 0.4, "Chest"), (0.4, 0.8, "pain"))
    two_passes(agreement, hypothesis)
    agreement.insert(hypothesis, offset=0.0)
    assert agreement.flush() == []
    assert agreement.committed_text() == "Chest pain"


def test_a_repeated_committed_tail_is_dropped() -> None:
    agreement = LocalAgreement()
    first = words((0.0, 0.4, "Chest"), (0.4, 0.8, "pain"))
    two_passes(agreement, first)
    # Timing jitter puts the repeated words after the committed end.
    repeat = words((0.85, 1.2, "chest"), (1.2, 1.5, "pain."), (1.6, 2.0, "Fever"))
    agreement.insert(repeat, offset=0.0)
    assert texts(agreement.tail()) == ["Fever"]
    agreement.flush()
    agreement.insert(repeat, offset=0.0)
    assert texts(agreement.flush()) == ["Fever"]
    assert agreement.committed_text() == "Chest pain Fever"


def test_a_repetition_said_later_is_kept() -> None:
    agreement = LocalAgreement()
    first = words(
        (0.0, 0.4, "pain"),
    )
    two_passes(agreement, first)
    later = words((0.0, 0.4, "pain"), (3.0, 3.4, "pain"))
    agreement.insert(later, offset=0.0)
    assert texts(agreement.tail()) == ["pain"]
    assert agreement.tail()[0].start == 3.0


def test_word_times_are_made_absolute_with_the_window_offset() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.5, 1.0, "hello")), offset=10.0)
    assert agreement.tail() == [Word(10.5, 11.0, " hello")]
    assert agreement.offset == 10.0


def test_trimming_moves_the_window_and_later_passes_line_up() -> None:
    agreement = LocalAgreement()
    passes = words((0.0, 0.5, "No"), (0.5, 1.0, "fever."), (1.2, 1.6, "Mild"), (1.6, 2.0, "cough"))
    two_passes(agreement, passes)
    assert agreement.committed_text() == "No fever. Mild cough"

    point = agreement.trim_point(min_keep=0.5)
    assert point is not None
    assert point == 1.0  # "fever." ends a sentence and leaves 1.0 s of committed audio

    # The audio before 1.0 s was dropped: times now count from the new window start.
    shifted = words((0.2, 0.6, "Mild"), (0.6, 1.0, "cough,"), (1.1, 1.5, "worse"))
    assert texts(two_passes(agreement, shifted, point)) == ["worse"]
    assert agreement.committed[-1] == Word(2.1, 2.5, " worse")
    assert agreement.committed_text() == "No fever. Mild cough worse"


def test_trim_point_falls_back_to_the_latest_word_end_without_a_sentence_end() -> None:
    agreement = LocalAgreement()
    hypothesis = words((0.0, 0.5, "chest"), (0.5, 1.0, "pain"), (1.0, 1.5, "and"), (1.5, 2.0, "x"))
    two_passes(agreement, hypothesis)
    assert agreement.trim_point(min_keep=0.5) == 1.5
    assert agreement.trim_point(min_keep=0.0) == 2.0


def test_trim_point_is_none_when_nothing_committed_lies_past_the_window_start() -> None:
    agreement = LocalAgreement()
    assert agreement.trim_point(min_keep=0.0) is None
    hypothesis = words(
        (0.0, 0.5, "pain."),
    )
    two_passes(agreement, hypothesis)
    assert agreement.trim_point(min_keep=1.0) is None
    agreement.insert([], offset=0.5)
    assert agreement.trim_point(min_keep=0.0) is None


def test_the_window_cannot_move_backwards() -> None:
    agreement = LocalAgreement()
    agreement.insert([], offset=5.0)
    with pytest.raises(DictationError):
        agreement.insert([], offset=4.0)


def test_committed_plus_tail_gives_the_full_text() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.0, 0.5, "No"), (0.5, 1.0, "fever")), offset=0.0)
    agreement.flush()
    final = words((0.0, 0.5, "No"), (0.5, 1.0, "fever,"), (1.1, 1.5, "mild"), (1.5, 2.0, "cough."))
    agreement.insert(final, offset=0.0)
    agreement.flush()
    assert join_words([*agreement.committed, *agreement.tail()]) == "No fever, mild cough."
    assert texts(agreement.finish()) == ["mild", "cough."]
    assert agreement.committed_text() == "No fever, mild cough."
    assert agreement.tail() == []


def test_finish_commits_an_unflushed_last_hypothesis() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.0, 0.5, "Done")), offset=0.0)
    assert texts(agreement.finish()) == ["Done"]
    assert agreement.committed_text() == "Done"


def test_two_inserts_without_a_flush_compare_the_latest_two() -> None:
    agreement = LocalAgreement()
    agreement.insert(words((0.0, 0.5, "one")), offset=0.0)
    agreement.insert(words((0.0, 0.5, "one"), (0.5, 1.0, "two")), offset=0.0)
    assert texts(agreement.flush()) == ["one"]


def test_settling_replaces_what_provisional_passes_committed_after_the_final_point() -> None:
    agreement = LocalAgreement()
    first = words((0.0, 0.5, "He"), (0.6, 1.0, "dies"), (1.1, 1.5, "pain."))
    assert texts(two_passes(agreement, first)) == ["He", "dies", "pain."]
    settled = agreement.settle(
        words((0.0, 0.5, "He"), (0.6, 1.0, "denies"), (1.1, 1.5, "pain.")), 0.0, 0.0
    )
    assert texts(settled) == ["He", "denies", "pain."]
    assert agreement.committed_text() == "He denies pain."
    assert agreement.tail() == []


def test_settling_keeps_the_final_words_and_drops_its_context_words() -> None:
    agreement = LocalAgreement()
    agreement.settle(words((0.0, 0.5, "No"), (0.6, 1.0, "pain."), (1.6, 2.0, "Rash.")), 0.0, 0.0)
    # The window now starts at 0.0 still (the first sentence is context) and is final
    # to 1.3 s, the pause: a new hearing of the context changes nothing before it.
    settled = agreement.settle(
        words((0.0, 0.5, "Know"), (0.6, 1.0, "pain."), (1.6, 2.0, "No"), (2.1, 2.5, "rash.")),
        0.0,
        1.3,
    )
    assert texts(settled) == ["No", "rash."]
    assert agreement.committed_text() == "No pain. No rash."


def test_trim_point_can_be_held_behind_the_final_words() -> None:
    agreement = LocalAgreement()
    hypothesis = words((0.0, 1.0, "One."), (1.0, 2.0, "two."), (2.0, 6.0, "three."))
    two_passes(agreement, hypothesis)
    assert agreement.trim_point(1.0) == 2.0
    assert agreement.trim_point(1.0, before=1.5) == 1.0
    assert agreement.trim_point(1.0, before=0.5) is None
