"""Rewrite presets: built-in ones and the user's from config."""

from __future__ import annotations

from daemon.config import Preset, RewriteSettings

# Appended to every preset. System prompts stay byte-identical across calls so
# llama.cpp reuses the cached prompt prefix.
RULES = (
    "Keep every fact exactly as written: numbers, units, doses, vital signs, dates, times, "
    "negations (no, not, denies, without), left and right, and medication names. "
    "Do not add facts. Reply with the rewritten text only, with no introduction, "
    "comments or quotes."
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


def all_presets(settings: RewriteSettings) -> dict[str, Preset]:
    """Built-in presets overlaid by the user's (a user preset may replace a built-in)."""
    presets = {preset.name: preset for preset in BUILT_IN}
    presets.update({preset.name: preset for preset in settings.presets})
    return presets


def system_prompt(instruction: str) -> str:
    """The system prompt of a preset or a free instruction."""
    return f"{instruction.strip()}\n\n{RULES}"
