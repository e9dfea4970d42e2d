"""How egress is prevented on this machine, as /v1/health and `sottovoce doctor` say it.

Measured, not assumed: a probe worker is confined exactly as an engine worker is and
reports what the kernel refused it.
"""

from __future__ import annotations

from typing import Any

from daemon.errors import SottovoceError
from daemon.sandbox.loaders import WORKERS_SUPPORTED

DAEMON_PROTECTION = "Python guard (audit hook; names other than loopback refused unresolved)"


def egress_report(memory_limit_mb: int) -> dict[str, Any]:
    """{protection, reason, memory_limit_mb, daemon} for the engine workers of this machine."""
    report: dict[str, Any] = {"daemon": DAEMON_PROTECTION, "memory_limit_mb": None}
    if not WORKERS_SUPPORTED:
        return {
            **report,
            "protection": "Python guard only",
            "reason": "on Windows the engines run inside the daemon's process (no sandbox yet)",
        }
    from daemon.sandbox.process import WorkerProcess

    try:
        probe = WorkerProcess("probe", "sandbox probe", memory_limit_mb)
    except SottovoceError as error:
        return {**report, "protection": "Python guard only", "reason": str(error)}
    probe.close()
    confinement = probe.confinement
    reasons = [str(reason) for reason in confinement.get("reasons", ())]
    return {
        **report,
        "protection": str(confinement.get("egress", "Python guard only")),
        "reason": "; ".join(reasons) or None,
        "memory_limit_mb": confinement.get("memory_limit_mb"),
    }
