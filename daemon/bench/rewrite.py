"""Rewrite quality through the API: per preset, how many answers are useful and faithful,
how many pieces were rewritten or kept, and the median latency.

Three shipped note sets (assets/rewrite/): `tuning` is what prompts and limits were
adjusted on; `heldout` was never looked at line by line, and is the one to quote;
`heldout2` was written before the clean-up pre-pass was tuned, and never used for it.
"Faithful" is judged twice: by the daemon's own guard (the answer's `fidelity.ok`)
and by an independent check here that shares no code with it (the digits, the
negation words and the sides of the source and the answer must be the same).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from daemon.bench.common import BenchDaemon

SETS = ("tuning", "heldout", "heldout2")
PRESETS = ("proofread", "concise", "soap")
_NEGATIONS = frozenset(
    ["no", "not", "denies", "denied", "deny", "without", "never", "none", "negative", "nil"]
)
_SIDES = {"l": "left", "left": "left", "r": "right", "right": "right", "bilateral": "bilateral"}
_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?|[a-z]+")
_CHATTER_RE = re.compile(
    r"\b(?:sorry|as an ai|language model|i cannot|i can't|i am unable|not equipped|"
    r"rephrased|rewritten|here is|here's|premise|hypothesis)\b|[\"“”]",
    re.IGNORECASE,
)


def load_notes(path: Path) -> list[str]:
    """The notes of a shipped set."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [str(note) for note in data["notes"]]


def clinical_tokens(text: str) -> Counter[str]:
    """Digits, negation words and sides of a text: what no rewrite may change."""
    tokens: Counter[str] = Counter()
    for token in _TOKEN_RE.findall(text.lower()):
        if token[0].isdigit():
            tokens[token] += 1
        elif token in _NEGATIONS:
            tokens["negation"] += 1
        elif token in _SIDES:
            tokens[_SIDES[token]] += 1
    return tokens


def judge(source: str, answer: dict[str, Any]) -> dict[str, bool]:
    """What the bench thinks of one answer, independently of the daemon's guard."""
    text = str(answer["text"])
    size = len(source)
    return {
        "guard_ok": bool(answer["fidelity"]["ok"]),
        "independent_ok": clinical_tokens(text) == clinical_tokens(source),
        "chatter": bool(_CHATTER_RE.search(text)) and not _CHATTER_RE.search(source),
        "changed": " ".join(text.split()) != " ".join(source.split()),
        "sane_length": 0.3 * size <= len(text) <= 2.5 * size + 40,
        "model_rewrote": any(p["reason"] == "rewritten" for p in answer.get("pieces", [])),
        "sorted": any("section" in p for p in answer.get("pieces", [])),
    }


def _post(daemon: BenchDaemon, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        daemon.base_url + "/v1/rewrite",
        json.dumps(body).encode(),
        {**daemon.headers, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def bench_preset(daemon: BenchDaemon, preset: str, notes: list[str]) -> dict[str, Any]:
    """The figures of one preset over one set of notes."""
    seconds: list[float] = []
    per_piece: list[float] = []
    verdicts: list[dict[str, bool]] = []
    reasons: Counter[str] = Counter()
    pieces = kept = tidied = 0
    for note in notes:
        started = time.perf_counter()
        answer = _post(daemon, {"text": note, "preset": preset})
        seconds.append(time.perf_counter() - started)
        verdicts.append(judge(note, answer))
        listed = answer.get("pieces", [])
        per_piece.append(seconds[-1] / max(1, len(listed)))
        for piece in listed:
            pieces += 1
            kept += bool(piece["kept"])
            tidied += bool(piece.get("tidied"))
            reasons[str(piece["reason"])] += 1
    useful = [
        v["guard_ok"]
        and v["independent_ok"]
        and not v["chatter"]
        and v["changed"]
        and v["sane_length"]
        for v in verdicts
    ]
    unfaithful = [v["changed"] and not (v["guard_ok"] and v["independent_ok"]) for v in verdicts]
    by_model = [u and v["model_rewrote"] for u, v in zip(useful, verdicts, strict=True)]
    tidy_only = [
        u and not v["model_rewrote"] and not v["sorted"]
        for u, v in zip(useful, verdicts, strict=True)
    ]
    count = len(notes)
    return {
        "notes": count,
        "useful_rate": round(sum(useful) / count, 3),
        # Of the useful notes: those with a piece the model rewrote, and those that only
        # the clean-up pre-pass changed (case, punctuation, spacing); the rest of a
        # structuring preset's were sorted under headings.
        "useful_model_rewrote": sum(by_model),
        "useful_tidy_only": sum(tidy_only),
        "faithful_rate": round(
            sum(v["guard_ok"] and v["independent_ok"] for v in verdicts) / count, 3
        ),
        "unfaithful_returned": sum(unfaithful),
        "chatter_returned": sum(v["chatter"] for v in verdicts),
        "no_op_rate": round(sum(not v["changed"] for v in verdicts) / count, 3),
        "pieces": pieces,
        "pieces_kept_rate": round(kept / pieces, 3) if pieces else None,
        "pieces_tidied": tidied,
        "piece_reasons": dict(reasons.most_common()),
        "p50_seconds": round(statistics.median(seconds), 3),
        # A note's latency over its pieces: what one more sentence costs.
        "p50_seconds_per_piece": round(statistics.median(per_piece), 3),
    }


def bench_rewrite(
    daemon: BenchDaemon, sets: dict[str, Path], presets: tuple[str, ...] = PRESETS
) -> dict[str, Any]:
    """Every preset over every set, after one warm-up request (loads the model).

    The load average before and after says how busy the machine was: latencies on a
    shared machine mean little without it.
    """
    _post(daemon, {"text": "pt denies fever.", "preset": presets[0]})
    before = os.getloadavg()[0]
    results: dict[str, Any] = {
        name: {preset: bench_preset(daemon, preset, load_notes(path)) for preset in presets}
        for name, path in sets.items()
    }
    return {**results, "load_average": [round(before, 2), round(os.getloadavg()[0], 2)]}
