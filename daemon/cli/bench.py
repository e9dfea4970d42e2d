"""`sottovoce bench`: print JSON figures measured in one run."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from daemon.assets import asset_path
from daemon.cli.common import paths_and_settings

PARTS = ("speech", "llm", "dictation", "agent", "rewrite")
log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    """Add the subcommand of this module."""
    bench = commands.add_parser(
        "bench", help="measure speed through the API against direct engine calls (JSON)"
    )
    bench.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated subset of {', '.join(PARTS)}"
    )
    bench.add_argument("--reps", type=int, default=9, help="repetitions per measurement")
    bench.set_defaults(handler=_bench)


def _bench(args: argparse.Namespace) -> int:
    from daemon.bench.common import BenchError, bench_daemon, get_json

    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise BenchError(f"unknown bench part(s): {', '.join(unknown)}; choose from {PARTS}")
    paths, settings = paths_and_settings(args)
    config = (
        f'[speech]\nmodel = "{settings.speech.model}"\n[llm]\nmodel = "{settings.llm.model}"\n'
        "idle_timeout = -1\n"
    )
    results: dict[str, Any] = {}
    with bench_daemon(config, paths.models_file) as daemon:
        # The API figures are measured through the engine sandbox: say which one.
        results["egress"] = get_json(daemon, "/v1/health")["egress"]
        if "speech" in parts:
            from daemon.bench.speech import bench_speech

            audio = asset_path("speech", "dictation-10s.flac").read_bytes()
            results["speech"] = bench_speech(daemon, settings, paths, audio, args.reps)
        if "llm" in parts:
            from daemon.bench.llm import bench_llm

            results["llm"] = bench_llm(daemon, settings, paths, args.reps)
        if "dictation" in parts:
            from daemon.bench.dictation import bench_dictation

            files = {
                "utterance_10s": asset_path("speech", "dictation-10s.flac"),
                "utterance_40s": asset_path("speech", "dictation-40s.flac"),
            }
            # Streaming runs in real time: fewer repetitions keep the run short.
            reps = max(1, min(args.reps, 3))
            results["dictation"] = bench_dictation(daemon, settings.speech.model, files, reps)
        if "rewrite" in parts:
            from daemon.bench.rewrite import SETS, bench_rewrite

            sets = {name: asset_path("rewrite", f"{name}.json") for name in SETS}
            results["rewrite"] = bench_rewrite(daemon, sets)
    if "agent" in parts:
        from daemon.bench.agent import bench_agent

        speech = asset_path("speech", "dictation-10s.flac")
        reps = max(1, min(args.reps, 3))
        results["agent"] = bench_agent(settings.speech.model, paths.models_file, speech, reps)
    print(json.dumps(results, indent=2))
    return 0
