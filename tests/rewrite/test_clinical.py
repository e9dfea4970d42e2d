"""The deterministic clinical clean-up tidies case, punctuation and spacing, and never a fact."""

from __future__ import annotations

import random

import pytest

from daemon.rewrite.clinical import tidy
from daemon.rewrite.facts.extract import extract_facts
from daemon.rewrite.fidelity import check_fidelity


@pytest.mark.parametrize(
    ("text", "tidied"),
    [
        pytest.param(
            "pt is 52yo female w/ chest pain radiating to L arm, denies fever. bp 140/90 hr 88",
            "Pt is 52 yo female w/ chest pain radiating to L arm, denies fever. BP 140/90 HR 88.",
            id="the-issue-example",
        ),
        pytest.param("metformin 500mg bid", "Metformin 500 mg bid.", id="number-and-unit"),
        pytest.param("give 1,000mg and 0.5mg", "Give 1,000 mg and 0.5 mg.", id="decimals"),
        pytest.param("10mg/kg  daily", "10 mg/kg daily.", id="per-unit-and-spaces"),
        pytest.param("fever ,cough ;no rash .", "Fever, cough; no rash.", id="marks"),
        pytest.param("fever.Plan to review", "Fever. Plan to review.", id="sentence-gap"),
        pytest.param("bid.denies sob", "Bid. Denies sob.", id="lower-case-gap"),
        pytest.param("plan:review in clinic", "Plan: review in clinic.", id="colon"),
        pytest.param("BP:140/90 at 14:30", "BP:140/90 at 14:30.", id="colon-before-digits"),
        pytest.param("sats 94% RA, temp 38.5°C", "Sats 94% RA, temp 38.5°C.", id="attached"),
        pytest.param("hello? yes. no!", "Hello? Yes. No!", id="sentence-ends"),
        pytest.param(
            "rr 22, spo2 94%. recheck bp in 3 hr",
            "RR 22, SpO2 94%. Recheck bp in 3 hr.",
            id="vital-signs-before-a-reading",
        ),
        pytest.param("- start amoxicillin", "- Start amoxicillin", id="list-item"),
        pytest.param("2) review bloods", "2) Review bloods", id="numbered-item"),
    ],
)
def test_tidy_fixes_case_punctuation_and_spacing(text: str, tidied: str) -> None:
    assert tidy(text).text == tidied


@pytest.mark.parametrize(
    ("text", "tidied"),
    [
        pytest.param("mg of drug given", "mg of drug given.", id="a-unit"),
        pytest.param("pH 7.35 on the gas", "pH 7.35 on the gas.", id="mixed-case"),
        pytest.param("eGFR 45 today", "eGFR 45 today.", id="mixed-case-2"),
        pytest.param("l knee pain", "l knee pain.", id="letter-that-a-capital-makes-a-side"),
        pytest.param("approx. five days", "Approx. five days.", id="abbreviation-stop"),
        pytest.param("e.g. at night", "e.g. at night.", id="dotted-abbreviation"),
        pytest.param("take 1 tab b.i.d. then stop", "Take 1 tab b.i.d. then stop.", id="bid"),
        pytest.param("q6h prn pain", "q6h prn pain.", id="word-with-a-digit"),
    ],
)
def test_tidy_leaves_alone_what_a_capital_would_change(text: str, tidied: str) -> None:
    assert tidy(text).text == tidied


@pytest.mark.parametrize(
    "text",
    [
        "18G cannula in situ.",
        "Fever x 3d.",
        "CT in 3D.",
        "SpO2 95% and T2DM.",
        "Seen q4h.",
        "Plan:",
        "Plan",
        "- Start amoxicillin",
        "2) Review bloods",
        "Lines\n\nWith a gap.\n",
    ],
)
def test_tidy_keeps_what_is_already_tidy_or_not_a_sentence(text: str) -> None:
    assert tidy(text).text == text


def test_tidy_keeps_lines_and_their_indentation() -> None:
    text = "plan:\n  - metformin 500mg\n  - review  in 2 weeks\n"
    assert tidy(text).text == "Plan:\n  - Metformin 500 mg\n  - Review in 2 weeks\n"


@pytest.mark.parametrize(
    ("text", "code", "flagged"),
    [
        pytest.param("Insulin 10 U at night.", "unit-u", "U", id="U"),
        pytest.param("Insulin 10u at night.", "unit-u", "u", id="u"),
        pytest.param("Vitamin D 1000 IU.", "iu", "IU", id="IU"),
        pytest.param("Lisinopril 10 mg QD.", "qd", "QD", id="QD"),
        pytest.param("Lisinopril 10 mg q.d.", "qd", "q.d.", id="q.d."),
        pytest.param("Aspirin 81 mg QOD.", "qod", "QOD", id="QOD"),
        pytest.param("Warfarin 5.0 mg.", "trailing-zero", "5.0 mg", id="trailing-zero"),
        pytest.param("Lorazepam .5 mg.", "leading-zero", ".5", id="leading-zero"),
        pytest.param("MS 4 mg IV.", "ms", "MS", id="MS"),
        pytest.param("MSO4 2 mg IV.", "mso4", "MSO4", id="MSO4"),
        pytest.param("MgSO4 2 g IV.", "mgso4", "MgSO4", id="MgSO4"),
    ],
)
def test_do_not_use_notations_are_flagged_and_left_as_written(
    text: str, code: str, flagged: str
) -> None:
    result = tidy(text)
    assert result.text == text
    assert [(w.code, w.text) for w in result.warnings] == [(code, flagged)]
    warning = result.warnings[0]
    assert result.text[warning.start :].startswith(flagged)
    assert warning.message.startswith("Write ")


def test_the_warning_says_what_to_write() -> None:
    (zero,) = tidy("Warfarin 5.0 mg.").warnings
    assert zero.message.startswith('Write "5 mg"')
    (lead,) = tidy("Lorazepam .5 mg.").warnings
    assert lead.message.startswith('Write "0.5"')
    assert zero.to_dict() == {
        "code": "trailing-zero",
        "text": "5.0 mg",
        "start": 9,
        "message": zero.message,
    }


@pytest.mark.parametrize(
    "text",
    [
        "Temp 37.0 today.",
        "Lesion 2.0 cm.",
        "Metformin 500 mg QID.",
        "Seen by Ms. Smith.",
        "ALT 45 U/L.",
        "Insulin 10 units.",
        "Dose 0.5 mg.",
        "Every other day.",
    ],
)
def test_what_the_list_allows_is_not_flagged(text: str) -> None:
    assert tidy(text).warnings == ()


# Varied clinical shorthand, none of it tidy; every line states facts the guard checks.
NOTES = [
    "pt is 52yo female w/ chest pain radiating to L arm, denies fever. bp 140/90 hr 88.",
    "metformin 500mg bid , lisinopril 10mg qd",
    "denies sob,cp,n/v. no hx of mi",
    "insulin glargine 18U qhs and lispro 4u with meals",
    "warfarin 5.0mg daily, INR 2.5 on 03/12/2024",
    "lorazepam .5mg prn anxiety  max 2mg/day",
    "MS 4mg iv q4h prn pain ; MgSO4 2g iv once",
    "r knee effusion, no erythema.l hip ok",
    "temp 38.5C,rr 22, sats 91% on 2L",
    "wound 3x2cm on the left shin , no drainage.dressing changed",
    "client reports low mood x 3 wks, denies si/hi",
    "4yo boy, fever 39.2 C for 2 days.no rash. tolerating po",
    "amoxicillin 250mg/5mL 5mL tid x 10 days",
    "follow up in two weeks.return sooner if worse",
    "vitamin d 50,000 IU weekly x 8 wks",
    "penicillin g 2 million units iv q4h",
    "ondansetron 4mg iv once, no further emesis",
    "bilateral lower limb edema, worse on the right",
    "pain 7/10 at rest ,4/10 after ibuprofen 400mg",
    "heparin 5000 units subcut q8h. platelets 210",
    "ekg: nsr 72 bpm. no st changes",
    "plan:\n- cbc, bmp in am\n- start ceftriaxone 1g iv daily",
    "weight 12.4kg, height 88cm.",
    "seen at 2 pm, next visit in 6 months",
    "denies etoh , tobacco. drinks 2 cups of coffee a day",
    "hr 110 , bp 90/60. given 1L ns bolus",
    "sertraline 50mg qAM, increase to 100mg in 2 wks",
    "no known drug allergies. nkda",
    "glucose 7.2mmol/L, hba1c 8.1%",
    "salbutamol 2 puffs q4h prn sob",
]


@pytest.mark.parametrize("note", NOTES)
def test_tidy_never_changes_a_fact(note: str) -> None:
    assert extract_facts(note), "every note states facts, so the check below can fail"
    tidied = tidy(note).text
    assert check_fidelity(note, tidied).ok, tidied
    assert tidy(tidied).text == tidied, "a second pass has nothing left to do"


def test_tidy_never_changes_a_fact_of_jumbled_text() -> None:
    # Fixed seed: the same 2,000 strings each run. Letters that read as sides, units, months
    # and Do Not Use notations, digits, marks and line breaks, jumbled as no note is.
    rng = random.Random(13)
    alphabet = "abcdeLRmgukhAugMar QDIU°%() .,;:!?/-\n\t0123456789"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        tidied = tidy(text).text
        assert check_fidelity(text, tidied).ok, (text, tidied)
