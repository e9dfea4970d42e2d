"""Run every check and present the result for a person or as JSON."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from daemon.doctor import (
    daemon_checks,
    desktop_checks,
    egress_checks,
    history_checks,
    model_checks,
    upstream_checks,
)
from daemon.doctor.check import Check, failed
from daemon.doctor.context import Context
from daemon.doctor.history_key import history_key

log = logging.getLogger(__name__)

CheckFunction = Callable[[Context], Check]

#: In report order; each name is also the `name` of the Check it returns.
CHECKS: tuple[tuple[str, CheckFunction], ...] = (
    # First: whether text leaves this machine at all (clinic mode), and for where.
    ("upstream", upstream_checks.upstream),
    ("upstream_speech", upstream_checks.upstream_speech),
    ("config", daemon_checks.config_file),
    ("daemon", daemon_checks.daemon_running),
    ("identity", daemon_checks.identity),
    ("listening", daemon_checks.listening),
    ("outbound_guard", daemon_checks.outbound_guard),
    ("engine_egress", egress_checks.engine_egress),
    ("token", daemon_checks.token_file),
    ("history", history_checks.history_state),
    ("history_encryption", history_checks.history_encryption),
    ("history_key", history_key),
    ("retention", history_checks.retention),
    ("speech_model", model_checks.speech_model),
    ("llm_model", model_checks.llm_model),
    ("device", model_checks.device),
    ("vram", model_checks.vram),
    ("display", desktop_checks.display_server),
    ("hotkeys", desktop_checks.hotkey_backend),
    ("microphone", desktop_checks.microphone),
    ("clipboard", desktop_checks.clipboard_hygiene),
    ("agent", desktop_checks.agent),
    ("tray", desktop_checks.tray),
    ("notifications", desktop_checks.notifications),
)

LABELS = {"ok": "OK", "info": "INFO", "warn": "WARN", "fail": "FAIL"}


def run_checks(ctx: Context) -> list[Check]:
    """Every check in order; one that crashes is reported as failed, never raised."""
    results = []
    for name, function in CHECKS:
        try:
            results.append(function(ctx))
        except Exception as error:  # a doctor that crashes tells nobody anything
            log.debug("check %s crashed", name, exc_info=True)
            results.append(
                failed(
                    name,
                    f"the check itself failed: {type(error).__name__}: {error}",
                    "report this line as a bug",
                )
            )
    return results


def all_passed(checks: Sequence[Check]) -> bool:
    """True when no check failed (warnings and information allowed)."""
    return all(check.status != "fail" for check in checks)


def report_json(checks: Sequence[Check]) -> dict[str, Any]:
    """The stable JSON shape: {"ok", "checks": [{"name", "status", "detail", "fix"}]}."""
    return {
        "ok": all_passed(checks),
        "checks": [
            {"name": c.name, "status": c.status, "detail": c.detail, "fix": c.fix} for c in checks
        ],
    }


def render_text(checks: Sequence[Check]) -> str:
    """One line per check, "OK", "INFO", "WARN" or "FAIL" first, then the fix if any."""
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        line = f"{LABELS[check.status]:<4}  {check.name:<{width}}  {check.detail}"
        if check.fix:
            line += f"  fix: {check.fix}"
        lines.append(line)
    failures = sum(check.status == "fail" for check in checks)
    warnings = sum(check.status == "warn" for check in checks)
    if failures or warnings:
        lines.append(f"\n{failures} to fix, {warnings} to consider")
    else:
        lines.append("\nall good")
    return "\n".join(lines)
