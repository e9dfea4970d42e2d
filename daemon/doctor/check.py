"""One line of the doctor's report: what was checked, how it stands, and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "info", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """The outcome of one check; `fix` says what to do when it is not OK."""

    name: str
    status: Status
    detail: str
    fix: str | None = None

    @property
    def ok(self) -> bool | None:
        """True when fine, None for information only, False for a warning or a failure."""
        if self.status == "info":
            return None
        return self.status == "ok"


def passed(name: str, detail: str) -> Check:
    """A check that found nothing to fix."""
    return Check(name, "ok", detail)


def info(name: str, detail: str, fix: str | None = None) -> Check:
    """A fact worth knowing that is neither right nor wrong."""
    return Check(name, "info", detail, fix)


def warn(name: str, detail: str, fix: str) -> Check:
    """Works, but less privately or less well than it could."""
    return Check(name, "warn", detail, fix)


def failed(name: str, detail: str, fix: str) -> Check:
    """Broken, or a privacy promise is not kept."""
    return Check(name, "fail", detail, fix)
