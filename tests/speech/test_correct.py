"""The drug-name post-correction: sound-alike runs become drugs; ordinary English,
numbers and negations never change."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.speech.correct import NEGATIONS, drug_corrector
from daemon.speech.lexicon import drug_names, is_ordinary_word

# Whisper's own mishearings of this project's speech set (synthetic voices).
MISHEARD = [
    (
        "She takes met form in 500 milligrams twice daily.",
        "She takes metformin 500 milligrams twice daily.",
    ),
    (
        "Continue lies in April 10 milligrams once a day.",
        "Continue lisinopril 10 milligrams once a day.",
    ),
    ("She takes Met Form in 500mg twice daily.", "She takes Metformin 500mg twice daily."),
    ("Certraline helps her mood.", "Sertraline helps her mood."),
    ("He is not taking warfare in anymore.", "He is not taking warfarin anymore."),
    ("Epixaban was started instead.", "Apixaban was started instead."),
    ("Levo-throxin dose unchanged.", "Levothyroxine dose unchanged."),
    ("Am low dipine was stopped.", "Amlodipine was stopped."),
    ("Furoce might 40 milligrams every morning.", "Furosemide 40 milligrams every morning."),
    ("Prescribed a moxacillin for seven days.", "Prescribed amoxicillin for seven days."),
    ("Ompirazole 20 milligrams before breakfast.", "Omeprazole 20 milligrams before breakfast."),
]

ORDINARY = [
    "The patient denies chest pain, shortness of breath or palpitations.",
    "No known drug allergies, and he does not smoke.",
    "Negative for fever, chills or night sweats.",
    "She listens to April's plans and lies in the sun.",
    "Met for lunch in the form room; the format was fine.",
    "He was seen without an interpreter and understood the plan.",
    "To permit the transfer of a party, the method and the material must be in state.",
    "Silence or noise alone yields no text.",
    "The main daemon is active on this machine, in defence in depth.",
    "We met in April at the warfare museum, then walked to the station.",
    "Take ten steps, then two more, and then twenty.",
    "Her daughter brought flowers and a card to the clinic.",
    "The wound is clean and dry with no signs of infection.",
    "Abdomen soft and not tender, without guarding.",
    "The child has a cough but no wheeze and is eating well.",
]


@pytest.mark.parametrize("heard, meant", MISHEARD)
def test_a_misheard_drug_name_is_corrected(heard: str, meant: str) -> None:
    assert drug_corrector().correct(heard) == meant


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_sentences_come_out_unchanged(sentence: str) -> None:
    assert drug_corrector().correct(sentence) == sentence


def test_half_a_million_words_of_ordinary_prose_come_out_unchanged() -> None:
    # Debian's licences and package documentation: English that names no drug.
    texts = sorted(Path("/usr/share/common-licenses").glob("*"))
    assert texts, "base-files ships the licence texts"
    for path in texts:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert drug_corrector().corrections(text) == [], path.name


@pytest.mark.parametrize(
    "text",
    [
        "Met form 500 in April.",  # a number inside the run stops it
        "Met form in 500.",
        "lies in April ten",
        "Lies no April",  # a negation inside the run stops it
        "denies met form in",
        "met form, in",  # punctuation other than a hyphen separates words
        "MET FORM IN",  # acronyms are left alone
    ],
)
def test_numbers_negations_and_punctuation_break_a_run(text: str) -> None:
    corrected = drug_corrector().correct(text)
    for word in text.split():
        if any(char.isdigit() for char in word) or word.lower().strip(",") in NEGATIONS:
            assert word in corrected.split(), corrected
    if "," in text or "no" in text.lower().split() or text.isupper():
        assert corrected == text


def test_numbers_and_negations_are_never_rewritten() -> None:
    text = "No metformin 500 mg, not lisinopril 10 mg; denies warfarin, negative for aspirin."
    assert drug_corrector().correct(text) == text


def test_a_drug_spelt_right_is_kept_and_does_not_absorb_the_next_word() -> None:
    assert drug_corrector().correct("gabapentin at bedtime") == "gabapentin at bedtime"
    assert drug_corrector().correct("Use the albuterol in haler") == "Use the albuterol in haler"


def test_a_name_between_two_drugs_is_left_as_heard() -> None:
    # One sound from citalopram, two from escitalopram but spelt more like it: a guess.
    assert drug_corrector().correct("Acetilopram 10 mg") == "Acetilopram 10 mg"
    # The same sounds as metoprolol: no guess, though metipranolol is spelt closer.
    assert drug_corrector().correct("Metaprolol 25 mg") == "Metoprolol 25 mg"
    # Aspirin is English too, so never a target, but still a drug that stays as spelt.
    assert drug_corrector().is_drug("aspirin")


def test_the_lexicon_holds_generic_names_and_no_ordinary_words() -> None:
    names = drug_names()
    assert {"metformin", "lisinopril", "apixaban", "paracetamol", "acetaminophen"} <= names
    assert not {"the", "form", "april", "water", "pain", "lies"} & names
    assert 500 < len(names) < 5000
    # Inflections count as ordinary English; drug names and mishearings do not.
    assert all(map(is_ordinary_word, ["denies", "lies", "listening", "swelling", "April"]))
    assert not any(map(is_ordinary_word, ["metformin", "Certraline", "epixaban"]))
