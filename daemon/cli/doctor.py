"""`sottovoce doctor`: a privacy and health self-check, for a person or as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from daemon.paths import Paths


def register(commands: Any) -> None:
    """Add the subcommand of this module."""
    doctor = commands.add_parser(
        "doctor", help="check privacy and health: listening addresses, encryption, models, desktop"
    )
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    from daemon.doctor import all_passed, gather, render_text, report_json, run_checks

    config = Path(args.config) if getattr(args, "config", None) else None
    checks = run_checks(gather(Paths.from_env(), config))
    if args.json:
        print(json.dumps(report_json(checks), indent=2, ensure_ascii=False))
    else:
        print(render_text(checks))
    return 0 if all_passed(checks) else 1
