"""Dictation accuracy on clinical speech: per speech model and voice, through the API.

The sentences (assets/speech/clinical-sentences.json) are spoken at run time by three
synthetic voices (daemon/bench/voices.py) and sent to POST /v1/audio/transcriptions
of a private daemon: first as Whisper alone ("plain": no clinical prompt, no drug-name
correction), then with the clinical prompt of the "general" specialty and the
correction ("clinical"); and as shipped ("default": no prompt, the correction on).
The "tune" sentences are what the prompt and the correction were adjusted on;
"held_out" ones were not, but the correction's thresholds were set on Whisper's
mishearings of them; "held_out_blind" (assets/speech/clinical-heldout.json) was written
before any later tuning, and "held_out_blind_2" (clinical-blind-2.json) before the
tuning that came after the first had been looked at; nothing is tuned on either. Each
split is also dictated, streamed and batch, in longer dictations
(daemon/bench/asr_streamed.py).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from daemon.assets import asset_path
from daemon.bench.asr_streamed import bench_streamed
from daemon.bench.common import UNITS, BenchError, bench_daemon, ratio, word_error_rate
from daemon.bench.speech import api_transcribe
from daemon.bench.voices import VOICES, available, speak
from daemon.speech.audio import SAMPLE_RATE, decode_audio
from daemon.speech.lexicon import drug_names
from daemon.speech.runaway import MIN_REPEATS, longest_repeat

SENTENCES = "clinical-sentences.json"
BLIND = ("clinical-heldout.json", "clinical-blind-2.json")
SPLITS = ("tune", "held_out", "held_out_blind", "held_out_blind_2")
# Streaming each split would double the run: the tune set and the newest blind one.
STREAMED_SPLITS = ("tune", "held_out_blind_2")
NEGATIONS = ("denies", "no", "not", "without", "negative for", "never")
VARIANTS = {
    "plain": '[dictation]\nspecialty = "none"\ncorrect_drug_names = false\n',
    "default": "",
    # The clinical prompt is opt-in (daemon/config.py): measured here switched on.
    "clinical": '[dictation]\nspecialty = "general"\n',
}


def sentences(limit: int | None = None) -> dict[str, list[str]]:
    """The shipped sentence set by split, the first `limit` of each when given."""
    data: dict[str, Any] = {}
    for name in (SENTENCES, *BLIND):
        data.update(json.loads(asset_path("speech", name).read_text(encoding="utf-8")))
    return {split: data[split][:limit] for split in SPLITS}


def _words(text: str) -> list[str]:
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text.lower())
    words = re.sub(r"[^\w\s]", " ", text.replace("-", " ")).split()
    return [UNITS.get(word, word) for word in words]


def _count(words: list[str], phrase: str) -> int:
    parts = phrase.split()
    return sum(words[i : i + len(parts)] == parts for i in range(len(words)))


def score(reference: str, hypothesis: str) -> dict[str, int | float]:
    """One sentence's figures: word error rate, drugs and negations found of those said,
    drugs heard that were not said, and whether the output ran away (looped, or grew far
    past what was said)."""
    said, heard = _words(reference), _words(hypothesis)
    drugs = [word for word in said if word in drug_names()]
    named = [word for word in heard if word in drug_names()]
    return {
        "wer": word_error_rate(reference, hypothesis),
        "drugs": len(drugs),
        "drugs_right": sum(min(said.count(d), heard.count(d)) for d in set(drugs)) if drugs else 0,
        "drugs_added": sum(max(0, named.count(d) - said.count(d)) for d in set(named)),
        "negations": sum(_count(said, cue) for cue in NEGATIONS),
        "negations_kept": sum(min(_count(said, cue), _count(heard, cue)) for cue in NEGATIONS),
        "runaway": int(longest_repeat(hypothesis) >= MIN_REPEATS or len(heard) > 2 * len(said) + 5),
    }


def _share(part: float, whole: float) -> float | None:
    """A rounded share; None (JSON null) when there was nothing to count."""
    return round(part / whole, 3) if whole else None


def summarise(scores: list[dict[str, int | float]]) -> dict[str, Any]:
    """Figures of a set of sentences: mean WER, drug-name accuracy, negation recall."""
    drugs = sum(s["drugs"] for s in scores)
    negations = sum(s["negations"] for s in scores)
    return {
        "sentences": len(scores),
        "wer": round(statistics.fmean(s["wer"] for s in scores), 3),
        "drug_accuracy": _share(sum(s["drugs_right"] for s in scores), drugs),
        "drugs": drugs,
        # Drug names in what was heard that were not said: a wrong drug in a note.
        "drugs_added": int(sum(s["drugs_added"] for s in scores)),
        "negation_recall": _share(sum(s["negations_kept"] for s in scores), negations),
        "negations": negations,
        "runaways": int(sum(s["runaway"] for s in scores)),
    }


def _wer(reference: str, hypothesis: str) -> float:
    return float(score(reference, hypothesis)["wer"])


def bench_asr(
    models: list[str],
    user_models: Path,
    voices: list[str] | None = None,
    limit: int | None = None,
    variants: list[str] | None = None,
) -> dict[str, Any]:
    """Per variant, model and voice: figures on each split and all together, speed, and
    streamed against batch WER on longer dictations."""
    sets = sentences(limit)
    voices = [voice for voice in (voices or list(VOICES)) if available(voice)]
    unknown = sorted(set(variants or ()) - set(VARIANTS))
    if unknown:
        raise BenchError(f"unknown asr variant(s) {unknown}; choose from {list(VARIANTS)}")
    chosen = {name: VARIANTS[name] for name in (variants or VARIANTS)}
    results: dict[str, Any] = {"voices": voices, "models": models, "variants": {}}
    with tempfile.TemporaryDirectory(prefix="sottovoce-asr-") as folder:
        audio = {
            (voice, split, index): speak(text, Path(folder) / f"{voice}-{split}-{index}.wav", voice)
            for voice in voices
            for split, texts in sets.items()
            for index, text in enumerate(texts)
        }
        samples = {key: decode_audio(p.read_bytes()) for key, p in audio.items()}
        for variant, config in chosen.items():
            figures: dict[str, Any] = {}
            with bench_daemon(config, user_models) as daemon:
                for model in models:
                    api_transcribe(daemon, audio[next(iter(audio))].read_bytes(), model)  # warm
                    per_voice: dict[str, Any] = {}
                    for voice in voices:
                        began = time.monotonic()
                        by_split: dict[str, list[dict[str, int | float]]] = {}
                        took = spoken = 0.0
                        for (name, split, index), path in audio.items():
                            if name != voice:
                                continue
                            seconds, text = api_transcribe(daemon, path.read_bytes(), model)
                            took += seconds
                            spoken += len(samples[(name, split, index)]) / SAMPLE_RATE
                            by_split.setdefault(split, []).append(score(sets[split][index], text))
                        per_voice[voice] = {
                            "all": summarise([s for split in by_split.values() for s in split]),
                            **{split: summarise(found) for split, found in by_split.items()},
                            "real_time_factor": ratio(took, spoken),
                            "streamed": {
                                split: bench_streamed(
                                    daemon,
                                    model,
                                    [
                                        (text, samples[(voice, split, index)])
                                        for index, text in enumerate(sets[split])
                                    ],
                                    _wer,
                                )
                                for split in STREAMED_SPLITS
                            },
                        }
                        print(
                            f"asr: {variant}, {model}, {voice}: {time.monotonic() - began:.0f} s",
                            file=sys.stderr,
                            flush=True,
                        )  # the whole run takes tens of minutes: say where it is
                    figures[model] = per_voice
            results["variants"][variant] = figures
    return results
