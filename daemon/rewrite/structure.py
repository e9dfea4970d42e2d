"""Structuring presets (SOAP): sentences sorted under headings, copied verbatim.

The model never writes the note: it only names the section of each sentence,
under a GBNF grammar that admits nothing but a section's name, and the
sentences are copied unchanged under their headings. Facts cannot change.

Wording cues narrow the choice first ("denies" is what a patient says, "BP
140/90" is measured, "likely" is an impression, "start" is a plan): a sentence
whose cues point to one section alone needs no model call, and otherwise the
grammar admits only the sections its cues allow (all four when it has none).
The tiny default model labels almost everything "Assessment" when free to; a
larger model gets the same, narrower, question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from daemon.llm.types import GenerationParams, Message

SOAP = ("Subjective", "Objective", "Assessment", "Plan")

_CUES: dict[str, re.Pattern[str]] = {
    "Subjective": re.compile(
        r"\b(?:reports?|reported|reporting|states?|stated|says|said|complains?|complaining|c/o"
        r"|denies|denied|deny|endorses|describes|feels|feeling|felt|history\s+of|hx|pmh"
        r"|presents\s+with|presented\s+with|mother\s+says|parents?\s+report|cc|chief\s+complaint"
        r"|patient\s+(?:is\s+)?worried|subjective)\b",
        re.IGNORECASE,
    ),
    "Objective": re.compile(
        r"\b(?:bp|hr|rr|temp|spo2|sats?|o2|pulse|weight|wt|height|bmi|gcs|exam|examination"
        r"|o/e|on\s+exam|auscultation|palpation|tender|non-?tender|soft|lungs?|heart\s+sounds"
        r"|abdomen|labs?|wbc|hb|hgb|crp|glucose|a1c|hba1c|creatinine|x-?ray\s+shows|ecg|ekg"
        r"|mmhg|bpm|afebrile|febrile|alert|oriented|wound\s+(?:is|bed|measures)|measures"
        r"|observed|noted\s+on|objective)\b|\d+\s*/\s*\d+|\d\s*(?:%|°|cm\b|kg\b)",
        re.IGNORECASE,
    ),
    "Assessment": re.compile(
        r"\b(?:impression|assessment|diagnosis|dx|likely|probable|probably|possible|suspected"
        r"|suspect|consistent\s+with|suggestive\s+of|r/o|rule\s+out|differential|ddx"
        r"|improving|worsening|resolved|resolving|well[- ]controlled|poorly\s+controlled)\b",
        re.IGNORECASE,
    ),
    "Plan": re.compile(
        r"\b(?:plan|start|started|starting|continue|continued|stop|discontinue|increase"
        r"|decrease|taper|prescribe|prescribed|rx|order|ordered|refer|referred|referral"
        r"|follow[- ]?up|f/u|return|recheck|repeat|schedule|advise|advised|counsel|counselled"
        r"|counseled|educated|review\s+in|see\s+in|next\s+session|homework|dressing\s+change"
        r"|will)\b",
        re.IGNORECASE,
    ),
}

INSTRUCTION = (
    "Name the SOAP section of one sentence from a clinical note. Subjective: what the "
    "patient or family says (symptoms, history, denials). Objective: what the clinician "
    "measures or observes (vital signs, examination, results). Assessment: the diagnosis "
    "or impression. Plan: treatment, medication, orders, referrals, follow-up. "
    "Reply with the section name only."
)
# Examples, one per section, in the prompt's byte-identical prefix.
EXAMPLES = (
    ("Patient reports headache for three days.", "Subjective"),
    ("BP 120/80, HR 72.", "Objective"),
    ("Likely tension headache.", "Assessment"),
    ("Start ibuprofen 400 mg as needed.", "Plan"),
)


@dataclass(frozen=True)
class Question:
    """How one sentence's section is decided: by its cues alone, or by the model."""

    candidates: tuple[str, ...]

    @property
    def settled(self) -> str | None:
        """The section when the cues leave only one."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    def grammar(self) -> str:
        """A GBNF grammar admitting exactly the candidate sections."""
        return "root ::= " + " | ".join(f'"{name}"' for name in self.candidates)


def question(sentence: str, sections: tuple[str, ...] = SOAP) -> Question:
    """The sections a sentence's wording allows (all of them when it has no cue)."""
    cued = tuple(name for name in sections if name in _CUES and _CUES[name].search(sentence))
    return Question(cued or sections)


def messages(sentence: str) -> list[Message]:
    """The classification prompt: a fixed prefix, then the sentence."""
    out: list[Message] = [{"role": "system", "content": INSTRUCTION}]
    for example, section in EXAMPLES:
        out.append({"role": "user", "content": example})
        out.append({"role": "assistant", "content": section})
    out.append({"role": "user", "content": sentence})
    return out


def params(q: Question) -> GenerationParams:
    """Greedy decoding of one section name under the question's grammar."""
    return GenerationParams(temperature=0.0, top_p=1.0, max_tokens=8, seed=0, grammar=q.grammar())


def section_of(answer: str, q: Question) -> str:
    """The section the model named; the grammar makes it one of the candidates."""
    answer = answer.strip()
    return answer if answer in q.candidates else q.candidates[0]


def render(sentences: list[tuple[str, str]], sections: tuple[str, ...] = SOAP) -> str:
    """The note under headings: each (section, sentence) copied verbatim, in source order
    within its section; a section without sentences is left out."""
    blocks = []
    for name in sections:
        inside = [text for section, text in sentences if section == name]
        if inside:
            blocks.append(f"{name}:\n" + "\n".join(inside))
    return "\n\n".join(blocks)
