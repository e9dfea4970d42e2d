"""Rewrite presets: built-in ones and the user's from config, with their few-shot examples."""

from __future__ import annotations

from dataclasses import dataclass

from daemon.config import Preset, RewriteSettings
from daemon.llm.types import Message

# Appended to every preset. The system prompt and the examples stay byte-identical
# across calls so llama.cpp reuses the cached prompt prefix: only the piece differs.
RULES = (
    "The text is one sentence or clause of a clinical note. "
    "Keep every fact exactly as written: numbers, units, doses, vital signs, dates, times, "
    "negations (no, not, denies, without), left and right, and medication names. "
    "Do not add facts. Reply with the rewritten text only, on one line, with no "
    "introduction, comments or quotes."
)

BUILT_IN: tuple[Preset, ...] = (
    Preset(
        name="proofread",
        instruction=(
            "Correct the spelling, grammar and punctuation of the text. Change nothing else."
        ),
        description="Fix spelling, grammar and punctuation",
    ),
    Preset(
        name="concise",
        instruction="Make the text shorter and clearer without losing any information.",
        description="Shorter and clearer",
    ),
    Preset(
        name="professional",
        instruction="Rewrite the text in a professional, clinical tone.",
        description="Professional clinical tone",
    ),
    Preset(
        name="friendly",
        instruction="Rewrite the text in a warm, friendly tone.",
        description="Warm, friendly tone",
    ),
    Preset(
        name="patient-friendly",
        instruction=(
            "Explain the text in plain language that a patient without medical training "
            "understands. Avoid jargon and abbreviations."
        ),
        description="Plain-language explanation for a patient",
    ),
    Preset(
        name="soap",
        instruction=(
            "Reorganise the text into a SOAP note with the headings Subjective, Objective, "
            "Assessment and Plan."
        ),
        description="Structure as a SOAP note",
    ),
    Preset(
        name="clinical-cleanup",
        instruction=(
            "Tidy case, punctuation and spacing; flag Joint Commission Do Not Use abbreviations."
        ),
        description="Tidy case, punctuation and spacing without a model; flag Do Not Use",
        llm=False,
    ),
)


# Example (piece, rewrite) pairs per built-in preset: a tiny model copies the shape
# of its examples far better than it follows an instruction. Each pair is faithful
# (a test checks every one with the guard) and short, so the prefix stays cheap.
EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "proofread": (
        ("pt has no fever since 2 days", "Pt has had no fever for 2 days."),
        ("she take metformin 500 mg twice daily", "She takes metformin 500 mg twice daily."),
        ("denies chest pain , bp 140/90 hr 88", "Denies chest pain, BP 140/90, HR 88."),
    ),
    "concise": (
        (
            "The patient states that she has been having a headache for about 3 days now.",
            "Headache for about 3 days.",
        ),
        (
            "He is currently taking lisinopril 10 mg once a day for his blood pressure.",
            "Takes lisinopril 10 mg once a day for blood pressure.",
        ),
        (
            "On examination today the wound on the left leg appears to be clean and dry.",
            "Left leg wound clean and dry.",
        ),
    ),
    "professional": (
        (
            "pt says her tummy hurts real bad since yesterday",
            "The patient reports severe abdominal pain since yesterday.",
        ),
        (
            "gave him tylenol 500 mg and he feels better now",
            "Tylenol 500 mg was given; he now feels better.",
        ),
        ("no fever, bp 120/80", "No fever; BP 120/80."),
    ),
    "friendly": (
        ("Follow up in 2 weeks.", "Please come back to see us in 2 weeks."),
        (
            "Take amoxicillin 500 mg three times daily.",
            "Please take amoxicillin 500 mg three times daily.",
        ),
        ("No driving for 24 hours.", "No driving for the next 24 hours, please."),
    ),
    "patient-friendly": (
        (
            "Pt has HTN, on lisinopril 10 mg daily.",
            "You have high blood pressure and take lisinopril 10 mg daily.",
        ),
        ("No fever.", "You do not have a fever."),
        ("Return if symptoms worsen.", "Come back if you feel worse."),
    ),
}
# How much longer than its piece a rewrite may grow, per preset (token budget).
GROWTH: dict[str, float] = {"friendly": 2.0, "patient-friendly": 2.5}
# A shortening that came out longer than its piece has added something ("Crackles at
# L base." -> "L - crackles at L base."): the longest rewrite it may return, as a
# share of the piece's length.
MAX_LENGTH: dict[str, float] = {"concise": 1.0}
DEFAULT_GROWTH = 1.5
# The largest share of new content words a rewrite may have (see novelty.py): a
# proofread or a shortening reuses the source's words, a plain-language rewrite
# replaces jargon by design; free instructions and user presets are not limited.
NOVELTY: dict[str, float] = {"proofread": 0.34, "concise": 0.34, "professional": 0.6}
# The largest share of the source's content words a rewrite may drop: a proofread
# keeps nearly all of them, a shortening drops many by design.
DROPPED: dict[str, float] = {"proofread": 0.1, "professional": 0.5, "friendly": 0.5}
UNLIMITED = 1.0
# The persons (novelty.PERSONS) a rewrite may name that its piece does not: none for a
# proofread or a shortening; a friendly or plain-language rewrite speaks to the patient
# ("you", "see us"). Free instructions and user presets are not limited (None).
NEW_PERSONS: dict[str, frozenset[str]] = {
    "proofread": frozenset(),
    "concise": frozenset(),
    "professional": frozenset(),
    "friendly": frozenset({"you", "we"}),
    "patient-friendly": frozenset({"you", "we"}),
}


@dataclass(frozen=True)
class Style:
    """How the pieces of one request are rewritten and judged."""

    prefix: tuple[Message, ...]
    growth: float
    max_novelty: float
    max_dropped: float
    new_persons: frozenset[str] | None = None
    # Whether a correctly spelled word must stay itself (novelty.swapped).
    keep_spelled: bool = False
    max_length: float | None = None


def style(preset: Preset | None, instruction: str) -> Style:
    """The prompt prefix and limits for a preset (None: a free instruction)."""
    name = preset.name if preset is not None and _is_built_in(preset) else ""
    return Style(
        prefix=tuple(few_shot_messages(preset, instruction)),
        growth=GROWTH.get(name, DEFAULT_GROWTH),
        max_novelty=NOVELTY.get(name, UNLIMITED),
        max_dropped=DROPPED.get(name, UNLIMITED),
        new_persons=NEW_PERSONS.get(name),
        # The presets that reuse the source's words: a look-alike word is a swap.
        keep_spelled=name in NOVELTY,
        max_length=MAX_LENGTH.get(name),
    )


def _is_built_in(preset: Preset) -> bool:
    return any(p == preset for p in BUILT_IN)


def few_shot_messages(preset: Preset | None, instruction: str) -> list[Message]:
    """The byte-identical prefix of every piece's prompt: system prompt, then examples.

    Examples belong to a built-in wording: a user preset that reuses a built-in name
    with its own instruction, and a free instruction, get none.
    """
    messages: list[Message] = [{"role": "system", "content": system_prompt(instruction)}]
    examples = EXAMPLES.get(preset.name, ()) if preset and _is_built_in(preset) else ()
    for piece, rewrite in examples:
        messages.append({"role": "user", "content": piece})
        messages.append({"role": "assistant", "content": rewrite})
    return messages


def all_presets(settings: RewriteSettings) -> dict[str, Preset]:
    """Built-in presets overlaid by the user's (a user preset may replace a built-in)."""
    presets = {preset.name: preset for preset in BUILT_IN}
    presets.update({preset.name: preset for preset in settings.presets})
    return presets


def system_prompt(instruction: str) -> str:
    """The system prompt of a preset or a free instruction."""
    return f"{instruction.strip()}\n\n{RULES}"
