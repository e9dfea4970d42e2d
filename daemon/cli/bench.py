"""`sottovoce bench`: print JSON figures measured in one run."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from daemon.assets import asset_path
from daemon.cli.common import paths_and_settings
from daemon.config import Settings
from daemon.paths import Paths

PARTS = ("speech", "llm", "dictation", "agent", "guard", "rewrite", "asr", "upstream")
# upstream (clinic mode) only when asked: it needs a practice's server or llama_cpp.server.
DEFAULT_PARTS = PARTS[:-1]
log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    """Add the subcommand of this module."""
    bench = commands.add_parser(
        "bench", help="measure speed through the API against direct engine calls (JSON)"
    )
    bench.add_argument(
        "--parts",
        default=",".join(DEFAULT_PARTS),
        help=f"comma-separated subset of {', '.join(PARTS)}",
    )
    bench.add_argument("--reps", type=int, default=9, help="repetitions per measurement")
    bench.add_argument(
        "--voices", default="", help="asr: comma-separated voices (default: every installed one)"
    )
    bench.add_argument(
        "--sentences", type=int, default=None, help="asr: the first N sentences of each split"
    )
    bench.add_argument(
        "--variants",
        default="",
        help="asr: comma-separated subset of plain, default, clinical (default: all)",
    )
    bench.set_defaults(handler=_bench)


def _bench(args: argparse.Namespace) -> int:
    from daemon.bench.common import BenchError

    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise BenchError(f"unknown bench part(s): {', '.join(unknown)}; choose from {PARTS}")
    paths, settings = paths_and_settings(args)
    results: dict[str, Any] = {}
    if "upstream" in parts:
        from daemon.bench.upstream import bench_upstream

        # Its own daemons, in clinic mode; measured first, before the local models load.
        results["upstream"] = bench_upstream(settings, paths, args.reps)
        parts.remove("upstream")
    if "guard" in parts:
        from daemon.bench.guard import bench_guard

        results["guard"] = bench_guard()
    if set(parts) & {"speech", "llm", "dictation", "rewrite"}:
        _bench_api(parts, settings, paths, args.reps, results)
    if "agent" in parts:
        from daemon.bench.agent import bench_agent

        speech = asset_path("speech", "dictation-10s.flac")
        reps = max(1, min(args.reps, 3))
        results["agent"] = bench_agent(settings.speech.model, paths.models_file, speech, reps)
    if "asr" in parts:
        from daemon.bench.asr import bench_asr
        from daemon.models.registry import ModelRegistry

        voices = [voice.strip() for voice in args.voices.split(",") if voice.strip()]
        models = ModelRegistry(paths).names("speech")
        variants = [name.strip() for name in args.variants.split(",") if name.strip()]
        results["asr"] = bench_asr(
            models, paths.models_file, voices or None, args.sentences, variants or None
        )
    print(json.dumps(results, indent=2))
    return 0


def _bench_api(
    parts: list[str], settings: Settings, paths: Paths, reps_asked: int, results: dict[str, Any]
) -> None:
    """The parts measured through one bench daemon against direct engine calls."""
    from daemon.bench.common import bench_daemon, get_json

    config = (
        f'[speech]\nmodel = "{settings.speech.model}"\n[llm]\nmodel = "{settings.llm.model}"\n'
        "idle_timeout = -1\n"
    )
    with bench_daemon(config, paths.models_file) as daemon:
        # The API figures are measured through the engine sandbox: say which one.
        results["egress"] = get_json(daemon, "/v1/health")["egress"]
        if "speech" in parts:
            from daemon.bench.speech import bench_speech

            audio = asset_path("speech", "dictation-10s.flac").read_bytes()
            results["speech"] = bench_speech(daemon, settings, paths, audio, reps_asked)
        if "llm" in parts:
            from daemon.bench.llm import bench_llm

            results["llm"] = bench_llm(daemon, settings, paths, reps_asked)
        if "dictation" in parts:
            from daemon.bench.dictation import bench_dictation

            files = {
                "utterance_10s": asset_path("speech", "dictation-10s.flac"),
                "utterance_40s": asset_path("speech", "dictation-40s.flac"),
            }
            # Streaming runs in real time: fewer repetitions keep the run short.
            reps = max(1, min(reps_asked, 3))
            results["dictation"] = bench_dictation(daemon, settings.speech.model, files, reps)
        if "rewrite" in parts:
            from daemon.bench.rewrite import SETS, bench_rewrite

            sets = {name: asset_path("rewrite", f"{name}.json") for name in SETS}
            results["rewrite"] = bench_rewrite(daemon, sets)
