"""The clinical clean-up as the pre-pass of LLM rewrites, and the piece checks that guard
what the guard's facts do not show (the person, "Do Not Use" notations)."""

from __future__ import annotations

import pytest

from daemon.assets import asset_path
from daemon.bench.rewrite import SETS, load_notes
from daemon.config import RewriteSettings
from daemon.rewrite.clinical import tidy
from daemon.rewrite.fidelity import check_fidelity
from daemon.rewrite.novelty import new_persons
from daemon.rewrite.piecewise import judge
from daemon.rewrite.prepass import prepare
from daemon.rewrite.presets import BUILT_IN, style


def _style(name: str):  # type: ignore[no-untyped-def]
    preset = next(p for p in BUILT_IN if p.name == name)
    return style(preset, preset.instruction)


def _every_shipped_note() -> list[str]:
    return [note for name in SETS for note in load_notes(asset_path("rewrite", f"{name}.json"))]


@pytest.mark.parametrize("note", _every_shipped_note())
def test_the_tidied_text_of_every_shipped_note_passes_the_guard(note: str) -> None:
    # The fallback of a rejected piece is its tidied form: tidy must never change a fact.
    assert check_fidelity(note, tidy(note).text).ok


def test_the_pieces_are_the_tidied_text_and_say_which_ones_tidy_changed() -> None:
    prepared = prepare("Denies fever. bp 140/90 hr 88", enabled=True)
    assert [p.text for p in prepared.pieces.pieces] == ["Denies fever.", "BP 140/90 HR 88."]
    assert prepared.tidied == (False, True)


def test_a_full_stop_added_at_a_piece_end_marks_that_piece_only() -> None:
    prepared = prepare("Denies fever. BP 120/80", enabled=True)
    assert prepared.pieces.merge() == "Denies fever. BP 120/80."
    assert prepared.tidied == (False, True)


def test_spacing_between_pieces_marks_no_piece_as_tidied() -> None:
    prepared = prepare("Denies fever.   BP 120/80.", enabled=True)
    assert prepared.pieces.merge() == "Denies fever. BP 120/80."
    assert prepared.tidied == (False, False)


def test_a_space_removed_inside_a_piece_marks_it() -> None:
    prepared = prepare("Denies fever , cough. BP 120/80.", enabled=True)
    assert prepared.pieces.pieces[0].text == "Denies fever, cough."
    assert prepared.tidied == (True, False)


def test_without_the_pre_pass_the_pieces_are_the_users_own() -> None:
    source = "denies fever. bp 140/90 hr 88"
    prepared = prepare(source, enabled=False)
    assert prepared.pieces.merge() == source
    assert prepared.tidied == (False, False)


def test_raw_presets_and_the_switch_choose_who_tidies_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from daemon.rewrite.service import RewriteService

    settings = RewriteSettings(raw_presets=("concise", "consise"))
    service = RewriteService(settings, llm=None)  # type: ignore[arg-type]
    assert "raw_presets names 'consise', which is no preset" in caplog.text
    assert service.tidies_first("proofread") and service.tidies_first(None)
    assert not service.tidies_first("concise")
    off = RewriteService(RewriteSettings(tidy_first=False), llm=None)  # type: ignore[arg-type]
    assert not off.tidies_first("proofread") and not off.tidies_first(None)


def test_a_rewrite_that_names_another_person_is_new_persons() -> None:
    assert new_persons("We agreed to proceed.", "She agrees to proceed.") == {"we"}
    assert new_persons("He agrees to proceed.", "Pt agrees to proceed.") == {"he"}
    assert new_persons("Agrees to proceed.", "She agrees to proceed.") == frozenset()
    assert new_persons("Her mood is low.", "She reports low mood.") == frozenset()


def test_a_shortening_that_changes_who_acted_is_rejected() -> None:
    piece = "Pt anxious about surgery, she agrees to proceed."
    assert judge("Anxious about surgery; we agreed to proceed.", piece, _style("concise")) == (
        "changed person"
    )
    assert judge("Anxious about surgery, agrees to proceed.", piece, _style("concise")) is None


def test_a_plain_language_rewrite_may_speak_to_the_patient() -> None:
    piece = "Return if symptoms worsen."
    assert judge("Come back if you feel worse.", piece, _style("patient-friendly")) is None
    assert judge("Return if your symptoms worsen.", piece, _style("professional")) == (
        "changed person"
    )


def test_a_rewrite_that_spells_out_a_do_not_use_notation_is_rejected() -> None:
    # Only the writer knows whether "U" meant units: the notation stays, flagged.
    piece = "Insulin 10 U at night."
    assert judge("Insulin 10 units at night.", piece, _style("proofread")) == ("do not use changed")
    assert judge(piece, "insulin 10 U at night", _style("proofread")) is None


def test_a_shortening_that_names_one_person_twice_has_changed_who_agreed() -> None:
    piece = "Pt anxious about surgery, we discussed risks and benefits, she agrees to proceed."
    merged = "Anxious about surgery. We discussed risks and benefits. We agreed to proceed."
    assert new_persons(merged, piece) == {"we"}
    assert judge(merged, piece, _style("concise")) == "changed person"


def test_a_rewrite_that_drops_who_reported_is_rejected() -> None:
    piece = "Mother reports he has had diarrhoea x 4 days."
    assert judge("He has had diarrhoea x 4 days.", piece, _style("concise")) == "changed person"


def test_an_answer_to_a_question_nobody_asked_is_chatter() -> None:
    piece = "He has had diarrhoea x 4 days."
    assert judge("Yes, he has had diarrhoea x 4 days.", piece, _style("concise")) == (
        "meta-commentary"
    )


def test_a_spelled_word_swapped_for_a_look_alike_is_rejected_and_a_misspelling_is_not() -> None:
    assert judge("Cracks at L base.", "crackles at L base.", _style("proofread")) == (
        "changed words"
    )
    assert judge("Cracks at L base.", "crackles at L base.", _style("concise")) == ("changed words")
    assert judge("Crackles at L base.", "crakles at L base.", _style("proofread")) is None
    piece = "the wound are clen and dry"
    assert judge("The wound is clean and dry.", piece, _style("proofread")) is None


def test_a_shortening_longer_than_its_piece_is_rejected() -> None:
    piece = "Crackles at L base."
    assert judge("L - crackles at L base.", piece, _style("concise")) == "too long"
    assert judge("L - crackles at L base.", piece, _style("proofread")) != "too long"


def test_without_the_lexicon_no_look_alike_passes_as_a_correction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from daemon.rewrite import novelty
    from daemon.speech.lexicon import LexiconError

    def missing(word: str) -> bool:
        raise LexiconError("the package is not installed")

    monkeypatch.setattr(novelty, "is_ordinary_word", missing)
    assert novelty.swapped("Crackles at L base.", "crakles at L base.") == "crakles"
