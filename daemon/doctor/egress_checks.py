"""How the engines are kept off the network: the running daemon's word, else a probe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from daemon.doctor.check import Check, failed, passed, warn
from daemon.doctor.context import Context
from daemon.sandbox.confine import SECCOMP_AND_NAMESPACE
from daemon.sandbox.loaders import memory_limit_mb
from daemon.sandbox.status import egress_report


def engine_egress(ctx: Context) -> Check:
    """Native model and media code runs where the kernel refuses it every network socket."""
    health = ctx.daemon.health
    report: Mapping[str, Any] | None = health.get("egress") if health else None
    where = "the running daemon's engines"
    if report is None:
        report = egress_report(memory_limit_mb(ctx.settings.sandbox.memory_limit_mb))
        where = "engines started on this machine (the daemon is not running)"
    protection = str(report.get("protection"))
    reason = report.get("reason")
    limit = report.get("memory_limit_mb")
    memory = f"; memory limit {limit} MiB per engine" if limit else "; no memory limit"
    detail = f"{where}: {protection}{memory}"
    if protection == SECCOMP_AND_NAMESPACE:
        return passed("engine_egress", detail)
    if protection.startswith("kernel:"):
        return warn(
            "engine_egress",
            f"{detail} ({reason})",
            "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) "
            "for a second layer; the seccomp filter alone already refuses every network socket",
        )
    return failed(
        "engine_egress",
        f"{detail}: native libraries could reach the network unseen ({reason})",
        "on Linux install libseccomp2 (apt-get install libseccomp2) and restart the daemon",
    )
