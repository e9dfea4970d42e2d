"""Spoken numbers and units become digits and symbols, predictably."""

from __future__ import annotations

import pytest

from daemon.dictation.numbers import normalize_numbers
from daemon.rewrite.fidelity import check_fidelity


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("twenty one", "21"),
        ("twenty-one", "21"),
        ("five hundred", "500"),
        ("one hundred and twenty", "120"),
        ("one hundred twenty five", "125"),
        ("twelve hundred", "1200"),
        ("a hundred and twenty", "120"),
        ("one thousand and five", "1005"),
        ("two million five hundred thousand", "2500000"),
        ("Twenty One", "21"),
    ],
)
def test_multi_word_numbers_become_digits(spoken: str, written: str) -> None:
    assert normalize_numbers(spoken) == written


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("two point five", "2.5"),
        ("zero point two five", "0.25"),
        ("ninety eight point six", "98.6"),
    ],
)
def test_point_followed_by_digit_words_makes_a_decimal(spoken: str, written: str) -> None:
    assert normalize_numbers(spoken) == written


def test_number_over_number_becomes_a_fraction() -> None:
    assert normalize_numbers("BP one hundred and twenty over eighty") == "BP 120/80"
    assert normalize_numbers("BP 120 over 80, stable") == "BP 120/80, stable"


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("five hundred milligrams", "500 mg"),
        ("500 milligrams", "500 mg"),
        ("2.5 milligrams", "2.5 mg"),
        ("two hundred fifty micrograms", "250 mcg"),
        ("one gram", "1 g"),
        ("ten milliliters", "10 mL"),
        ("ten millilitres", "10 mL"),
        ("ten units of insulin", "10 units of insulin"),
        ("thirty eight point five degrees celsius", "38.5°C"),
        ("ninety eight point six degrees fahrenheit", "98.6°F"),
        ("fifty percent", "50%"),
        ("five per cent", "5%"),
        ("two point five mg", "2.5 mg"),
    ],
)
def test_units_after_a_number_become_symbols(spoken: str, written: str) -> None:
    assert normalize_numbers(spoken) == written


@pytest.mark.parametrize(
    "text",
    [
        "no one came",
        "one of the nurses",
        "seven patients were seen",
        "twenty is enough",
        "the milligrams were counted",
    ],
)
def test_lone_number_words_without_a_unit_stay_words(text: str) -> None:
    assert normalize_numbers(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "one two three",
        "twenty twenty four",
        "between one hundred and two hundred",
        "hundred twenty five milligrams",
    ],
)
def test_runs_that_are_not_one_number_stay_words(text: str) -> None:
    assert normalize_numbers(text) == text


def test_leading_point_leaves_the_number_as_words() -> None:
    assert normalize_numbers("point five milligrams") == "point five milligrams"
    assert normalize_numbers("at this point twenty one") == "at this point twenty one"


def test_punctuation_between_number_words_ends_the_run() -> None:
    assert normalize_numbers("Five, hundred") == "Five, hundred"


def test_hyphenated_words_that_are_not_all_numbers_are_left_alone() -> None:
    assert normalize_numbers("a five-year-old boy") == "a five-year-old boy"


def test_text_around_a_number_is_kept_exactly() -> None:
    text = "Started metformin  five hundred milligrams.\nThen, one gram (daily)."
    expected = "Started metformin  500 mg.\nThen, 1 g (daily)."
    assert normalize_numbers(text) == expected


def test_and_between_two_numbers_is_not_part_of_either() -> None:
    assert normalize_numbers("two hundred and five milligrams") == "205 mg"
    assert normalize_numbers("a thousand and one") == "1001"


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("two million units of penicillin", "2000000 units of penicillin"),
        ("one unit of blood", "1 unit of blood"),
        ("two kilos", "2 kg"),
        ("five cc", "5 mL"),
        ("thirty eight degrees centigrade", "38°C"),
        ("ten percent", "10%"),
        ("4 million units", "4000000 units"),
        ("one point five million units", "1500000 units"),
    ],
)
def test_units_come_from_the_table_the_guard_reads(spoken: str, written: str) -> None:
    assert normalize_numbers(spoken) == written


@pytest.mark.parametrize(
    "spoken",
    [
        "penicillin G two million units IV",
        "metformin five hundred milligrams twice daily",
        "temperature thirty eight point five degrees celsius",
        "BP one hundred and twenty over eighty",
        "saturating ninety four percent",
        "insulin twelve units at night and a thousand and one other things",
        "two point five micrograms of fentanyl",
        "give ten milliliters of lactulose",
        "weight seventy two kilograms",
    ],
)
def test_what_dictation_writes_the_guard_reads_as_the_same_facts(spoken: str) -> None:
    written = normalize_numbers(spoken)
    assert written != spoken
    assert check_fidelity(spoken, written).ok
