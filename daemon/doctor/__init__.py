"""`sottovoce doctor`: a privacy and health self-check, one small function per check."""

from daemon.doctor.check import Check, Status
from daemon.doctor.context import Context, DaemonState, gather
from daemon.doctor.report import all_passed, render_text, report_json, run_checks

__all__ = [
    "Check",
    "Context",
    "DaemonState",
    "Status",
    "all_passed",
    "gather",
    "render_text",
    "report_json",
    "run_checks",
]
