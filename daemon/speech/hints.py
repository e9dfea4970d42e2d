"""Decoding hints: a clinical context prompt with the drugs of the configured specialty.

Whisper conditions on a prompt of at most 224 tokens (half its 448-token context;
faster-whisper keeps the last 223). A prompt written like a clinical note teaches it
the register ("denies", "no", "negative for" are written as such, not "dies") and the
spelling of drugs it would otherwise hear as words ("met form in"). The lexicon holds
about 1,100 drugs, far more than fit, so each specialty names the ones most often
prescribed in it; on this project's speech set, with the post-correction, drug names
went from 10 % to 95 % on festival's voice with whisper-base (README, "Dictation
accuracy on clinical speech").
"""

from __future__ import annotations

from typing import Literal

Specialty = Literal["none", "general", "cardiology", "psychiatry", "respiratory", "paediatrics"]
SPECIALTIES: tuple[Specialty, ...] = (
    "none",
    "general",
    "cardiology",
    "psychiatry",
    "respiratory",
    "paediatrics",
)
# The register of a note, with each negation cue spelt as a clinician says it. Words of
# the prompt leak into what Whisper hears: "the patient denies fever" made an espeak-ng
# "and he denies chest pain" come out as "and feverized chest pain"; "he denies" and
# "she denies" as a clinician says them keep it.
CONTEXT = (
    "Clinical note. He denies pain. She denies smoking. No allergies, not in distress, "
    "negative for infection, without fever."
)
# The most prescribed drugs of each field, most common first (fewer tokens than 224 with
# both installed tokenizers: tests/speech/test_hints.py).
DRUGS: dict[Specialty, tuple[str, ...]] = {
    "none": (),
    "general": tuple(
        [
            "atorvastatin",
            "metformin",
            "levothyroxine",
            "lisinopril",
            "amlodipine",
            "metoprolol",
            "albuterol",
            "omeprazole",
            "losartan",
            "gabapentin",
            "hydrochlorothiazide",
            "sertraline",
            "simvastatin",
            "montelukast",
            "escitalopram",
            "rosuvastatin",
            "bupropion",
            "furosemide",
            "pantoprazole",
            "trazodone",
            "tamsulosin",
            "fluoxetine",
            "carvedilol",
            "duloxetine",
            "clopidogrel",
            "prednisone",
            "citalopram",
            "tramadol",
            "aspirin",
            "ibuprofen",
            "amoxicillin",
            "apixaban",
            "warfarin",
            "acetaminophen",
        ]
    ),
    "cardiology": tuple(
        [
            "atorvastatin",
            "rosuvastatin",
            "lisinopril",
            "losartan",
            "valsartan",
            "amlodipine",
            "metoprolol",
            "carvedilol",
            "bisoprolol",
            "furosemide",
            "torsemide",
            "spironolactone",
            "hydrochlorothiazide",
            "apixaban",
            "rivaroxaban",
            "dabigatran",
            "warfarin",
            "clopidogrel",
            "ticagrelor",
            "aspirin",
            "digoxin",
            "amiodarone",
            "diltiazem",
            "nitroglycerin",
            "hydralazine",
            "ivabradine",
            "ezetimibe",
            "empagliflozin",
            "dapagliflozin",
            "ranolazine",
        ]
    ),
    "psychiatry": tuple(
        [
            "sertraline",
            "escitalopram",
            "fluoxetine",
            "citalopram",
            "paroxetine",
            "venlafaxine",
            "duloxetine",
            "bupropion",
            "mirtazapine",
            "trazodone",
            "quetiapine",
            "olanzapine",
            "risperidone",
            "aripiprazole",
            "lurasidone",
            "clozapine",
            "haloperidol",
            "lithium",
            "lamotrigine",
            "levetiracetam",
            "alprazolam",
            "lorazepam",
            "clonazepam",
            "diazepam",
            "buspirone",
            "hydroxyzine",
            "methylphenidate",
            "atomoxetine",
            "naltrexone",
            "buprenorphine",
        ]
    ),
    "respiratory": tuple(
        [
            "albuterol",
            "ipratropium",
            "tiotropium",
            "salmeterol",
            "formoterol",
            "fluticasone",
            "budesonide",
            "beclomethasone",
            "mometasone",
            "montelukast",
            "prednisone",
            "prednisolone",
            "methylprednisolone",
            "theophylline",
            "roflumilast",
            "azithromycin",
            "doxycycline",
            "amoxicillin",
            "levofloxacin",
            "moxifloxacin",
            "guaifenesin",
            "benzonatate",
            "cetirizine",
            "loratadine",
            "omalizumab",
            "dupilumab",
            "pirfenidone",
            "nintedanib",
        ]
    ),
    "paediatrics": tuple(
        [
            "amoxicillin",
            "azithromycin",
            "cephalexin",
            "cefdinir",
            "clindamycin",
            "ibuprofen",
            "acetaminophen",
            "paracetamol",
            "albuterol",
            "fluticasone",
            "budesonide",
            "montelukast",
            "prednisolone",
            "dexamethasone",
            "ondansetron",
            "cetirizine",
            "loratadine",
            "diphenhydramine",
            "methylphenidate",
            "guanfacine",
            "atomoxetine",
            "mupirocin",
            "nystatin",
            "permethrin",
            "hydrocortisone",
            "lactulose",
            "oseltamivir",
            "trimethoprim",
        ]
    ),
}


def clinical_prompt(specialty: Specialty) -> str | None:
    """The prompt for `specialty`, or None for "none" (Whisper's plain decoding)."""
    if specialty == "none":
        return None
    return f"{CONTEXT} Medications: {', '.join(DRUGS[specialty])}."


def applies_to(language: str | None) -> bool:
    """The prompt is English: it helps English and automatic detection, and would pull
    speech in another language towards English."""
    return not language or language.lower() in ("en", "english")
