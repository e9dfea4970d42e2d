"""Guard figures: false alarms and misses of the fidelity guard on a labelled set of pairs.

The pairs are written for measuring, not for tuning: none of them is in
tests/rewrite/test_fidelity.py. A faithful pair that the guard flags is a
false alarm (the user sees "not applied" for a good rewrite); an unfaithful
pair that it passes is a miss (a changed fact typed into the record).
"""

from __future__ import annotations

from typing import Any

# (source, faithful rewrite)
FAITHFUL: tuple[tuple[str, str], ...] = (
    ("Pt denies etoh, tobacco and illicit drugs.", "Denies alcohol, tobacco and illicit drugs."),
    ("No SOB at rest.", "No shortness of breath at rest."),
    ("Denies CP or SOB.", "Denies chest pain or shortness of breath."),
    ("No N/V/D.", "No nausea, vomiting or diarrhea."),
    ("No HA, no LOC.", "No headache and no loss of consciousness."),
    (
        "Hx of HTN and DM, no CAD.",
        "History of hypertension and diabetes, no coronary artery disease.",
    ),
    ("No hx of MI or CVA.", "No history of myocardial infarction or stroke."),
    ("ASA 81 mg daily.", "Aspirin 81 mg once daily."),
    ("APAP 1 g q6h prn pain.", "Acetaminophen 1 g every 6 hours as needed for pain."),
    ("Denies SI/HI.", "Denies suicidal ideation and homicidal ideation."),
    ("No DOE or orthopnea.", "No dyspnea on exertion or orthopnea."),
    ("Denies shortness of breath on exertion.", "Denies SOB on exertion."),
    ("Heparin five thousand units subcut q8h.", "Heparin 5000 units subcut every 8 hours."),
    ("Penicillin G 4 million units IV q4h.", "Penicillin G 4,000,000 units IV every 4 hours."),
    ("Gave one point five liters of saline.", "Gave 1.5 L of saline."),
    ("Weight twelve point four kilograms.", "Weight 12.4 kg."),
    ("Vitamin D 50,000 IU weekly.", "Vitamin D 50000 IU once a week."),
    (
        "BP 132/84, HR 76, RR 14, SpO2 98% RA.",
        "Blood pressure 132/84, pulse 76, resp rate 14, sats 98% on room air.",
    ),
    ("Temp 39.1 C, febrile.", "Temperature 39.1 °C, febrile."),
    (
        "Wound 3 x 2 cm on the L shin, no drainage.",
        "A 3 x 2 cm wound on the left shin without drainage.",
    ),
    ("R wrist pain after FOOSH, no deformity.", "Right wrist pain after a fall, no deformity."),
    ("Bilateral crackles at the bases.", "Crackles at both lung bases."),
    (
        "Amoxicillin 250 mg/5 mL, 5 mL TID x 10 days.",
        "Amoxicillin 250 mg/5 mL, 5 mL three times daily for 10 days.",
    ),
    ("Sertraline 50mg qAM.", "Sertraline 50 mg every morning."),
    ("Follow up in 2 wks.", "Follow up in two weeks."),
    ("Seen 4/11/2025, next visit in 6 months.", "Seen on 4/11/2025; next visit in six months."),
    (
        "Client reports low mood for three weeks, denies SI.",
        "The client reports three weeks of low mood and denies suicidal ideation.",
    ),
    (
        "4 yo boy with fever x 2 days, no rash.",
        "A four-year-old boy with two days of fever and no rash.",
    ),
    ("Tolerating PO, no emesis.", "Tolerating oral intake, no vomiting."),
    ("Lisinopril 20 mg QD.", "Lisinopril 20 mg daily."),
    (
        "Metoprolol 25 mg BID, hold if HR < 55.",
        "Metoprolol 25 mg twice daily; hold if heart rate below 55.",
    ),
    ("Pain 6/10, worse at night.", "Pain is 6 out of 10 and worse at night."),
    ("Insulin glargine 18 units qhs.", "Insulin glargine 18 units at bedtime."),
    ("No known allergies.", "NKA."),
    ("Pt is a 70 y/o F with COPD.", "The patient is a 70-year-old woman with COPD."),
    (
        "Alert and oriented x3, no focal deficits.",
        "Alert and oriented to person, place and time x3; no focal deficits.",
    ),
    ("Denies fevers, chills, sweats.", "No fever, chills or sweats."),
    ("Ondansetron 4 mg IV once.", "Ondansetron 4 mg intravenously once."),
    ("Glucose one hundred and twelve.", "Glucose 112."),
    (
        "Pt c/o SOB and cough x 1 wk.",
        "The patient complains of shortness of breath and cough for 1 week.",
    ),
    ("Give ten milliliters of lactulose.", "Give 10 mL of lactulose."),
    ("Denies SI/HI.", "Denies suicidal or homicidal ideation."),
    ("Morphine two point five milligrams IV.", "Morphine 2.5 mg IV."),
)
# (source, rewrite that changed a fact)
UNFAITHFUL: tuple[tuple[str, str], ...] = (
    ("Pt denies etoh.", "Pt reports alcohol use."),
    ("No SOB at rest.", "Shortness of breath at rest."),
    ("Denies CP.", "Chest pain reported."),
    ("No hx of MI.", "History of myocardial infarction."),
    ("ASA 81 mg daily.", "Aspirin 325 mg daily."),
    ("APAP 1 g q6h prn.", "Acetaminophen 1 g every 4 hours as needed."),
    ("Heparin five thousand units subcut q8h.", "Heparin 500 units subcut every 8 hours."),
    ("Penicillin G 4 million units IV.", "Penicillin G 400,000 units IV."),
    ("Gave one point five liters of saline.", "Gave 15 L of saline."),
    ("Vitamin D 50,000 IU weekly.", "Vitamin D 5000 IU weekly."),
    ("BP 132/84, HR 76.", "BP 123/84, HR 76."),
    ("SpO2 91% on 2 L.", "SpO2 97% on 2 L."),
    ("Temp 39.1 C.", "Temp 38.1 C."),
    ("Wound on the L shin.", "Wound on the right shin."),
    ("R wrist pain.", "Left wrist pain."),
    ("Bilateral crackles.", "Crackles on the left."),
    ("Sertraline 50 mg qAM.", "Sertraline 100 mg every morning."),
    ("Sertraline 50 mg qAM.", "Fluoxetine 50 mg every morning."),
    ("Follow up in 2 wks.", "Follow up in 2 months."),
    ("Seen 4/11/2025.", "Seen 4/12/2025."),
    ("Client denies SI.", "Client reports suicidal ideation."),
    ("4 yo boy with fever x 2 days.", "4 yo boy with fever x 3 days."),
    ("Lisinopril 20 mg QD.", "Lisinopril 20 mg twice daily."),
    ("Metoprolol 25 mg BID, hold if HR < 55.", "Metoprolol 25 mg twice daily, hold if HR < 65."),
    ("Pain 6/10.", "Pain 8/10."),
    ("Insulin glargine 18 units qhs.", "Insulin glargine 8 units at bedtime."),
    ("No known allergies.", "Allergic to penicillin."),
    ("Continue warfarin and metoprolol.", "Continue warfarin."),
    ("Denies fevers, chills, sweats.", "Reports fevers; denies chills and sweats."),
    ("Glucose one hundred and twelve.", "Glucose 120."),
    ("Denies SOB on exertion.", "Reports shortness of breath on exertion."),
    ("No N/V.", "Nausea and vomiting overnight."),
    ("No N/V.", "N/V overnight."),
    ("Pt denies N/V/D.", "Pt reports N/V/D."),
    ("Give ten milliliters of lactulose.", "Give 100 mL of lactulose."),
)


def bench_guard() -> dict[str, Any]:
    """False alarms and misses of the guard on the labelled pairs, with the pairs concerned."""
    from daemon.rewrite.fidelity import check_fidelity

    false_alarms = [pair for pair in FAITHFUL if not check_fidelity(*pair).ok]
    misses = [pair for pair in UNFAITHFUL if check_fidelity(*pair).ok]
    return {
        "faithful_pairs": len(FAITHFUL),
        "unfaithful_pairs": len(UNFAITHFUL),
        "false_alarms": len(false_alarms),
        "misses": len(misses),
        "false_alarm_pairs": [list(pair) for pair in false_alarms],
        "missed_pairs": [list(pair) for pair in misses],
    }
