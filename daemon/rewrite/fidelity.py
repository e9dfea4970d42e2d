"""Clinical fidelity guard: the facts a rewrite dropped, added or changed.

Both texts are reduced to short fact strings (quantities with units, dates,
times, dose frequencies, negated words, laterality, medication names) and
compared. Anything the source has and the rewrite lacks is `missing`;
anything the rewrite has and the source lacks is `added`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from daemon.rewrite.facts.abbreviations import align_abbreviations
from daemon.rewrite.facts.compare import compare, labels
from daemon.rewrite.facts.extract import extract_facts

_SUMMARY_ITEMS = 4


@dataclass(frozen=True)
class FidelityReport:
    """What a rewrite changed among the clinical facts of its source."""

    ok: bool
    missing: tuple[str, ...]
    added: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the API's `fidelity` field."""
        return {"ok": self.ok, "missing": list(self.missing), "added": list(self.added)}

    def summary(self) -> str:
        """One line for a tray notification."""
        if self.ok:
            return "No clinical facts changed."
        changed, missing, added = _pair_changes(self.missing, self.added)
        parts = []
        if changed:
            parts.append("changed: " + _clip([f"{a} → {b}" for a, b in changed]))
        if missing:
            parts.append("missing: " + _clip(missing))
        if added:
            parts.append("added: " + _clip(added))
        return "Rewrite changed clinical facts; " + "; ".join(parts)


def check_fidelity(source: str, rewrite: str) -> FidelityReport:
    """Compare the clinical facts of `source` and `rewrite`."""
    source, rewrite = align_abbreviations(source, rewrite)
    missing, added = compare(extract_facts(source), extract_facts(rewrite))
    return FidelityReport(
        ok=not missing and not added, missing=labels(missing), added=labels(added)
    )


def _clip(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:_SUMMARY_ITEMS])
    rest = len(items) - _SUMMARY_ITEMS
    return f"{shown} and {rest} more" if rest > 0 else shown


def _shape(label: str) -> str | None:
    """The label with its numbers as "#", so that 500 mg and 300 mg match; None for words."""
    shape = re.sub(r"\d+(?:[.,]\d+)*", "#", label)
    return shape if shape != label else None


def _pair_changes(
    missing: tuple[str, ...], added: tuple[str, ...]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Pair a dropped and an added value of the same unit as one change."""
    left, right, pairs = list(missing), list(added), []
    for old in list(left):
        shape = _shape(old)
        if shape is None:
            continue
        for new in right:
            if _shape(new) == shape:
                pairs.append((old, new))
                left.remove(old)
                right.remove(new)
                break
    return pairs, left, right
