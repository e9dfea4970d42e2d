"""What a rewrite answers: the merged text, what became of each piece, the fidelity report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from daemon.clinical.do_not_use import DoNotUse
from daemon.rewrite.fidelity import FidelityReport

# Why a piece holds what it holds. Every reason but these two means the model's
# output was rejected and the original piece kept.
REWRITTEN = "rewritten"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PieceOutcome:
    """One piece of the source: the text the result holds for it, and why."""

    index: int
    before: str
    text: str
    kept: bool
    reason: str
    section: str | None = None
    # The clean-up pre-pass changed this piece before the model saw it: a kept piece
    # holds its tidied form ("tidied only"), not the user's wording.
    tidied: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one entry of the API's `pieces` list."""
        data: dict[str, Any] = {
            "index": self.index,
            "kept": self.kept,
            "reason": self.reason,
            "tidied": self.tidied,
        }
        if self.section is not None:
            data["section"] = self.section
        return data


@dataclass(frozen=True)
class RewriteResult:
    """A checked rewrite."""

    text: str
    preset: str | None
    model: str
    fidelity: FidelityReport
    seconds: float
    pieces: tuple[PieceOutcome, ...] = ()
    # The daemon's advice to a client: replace the user's text, or keep it and warn.
    replace: bool = True
    warnings: tuple[DoNotUse, ...] = ()  # Joint Commission "Do Not Use" notations in `text`
    # Clinic mode: which engine answered (daemon/upstream/tally.py); empty otherwise.
    answered_by: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "preset": self.preset,
            "model": self.model,
            "fidelity": {**self.fidelity.to_dict(), "summary": self.fidelity.summary()},
            "replace": self.replace,
            "pieces": [piece.to_dict() for piece in self.pieces],
            "warnings": [warning.to_dict() for warning in self.warnings],
            **self.answered_by,
        }
