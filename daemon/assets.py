"""Files shipped beside the code: icons, sounds, benchmark speech, installer templates.

A checkout or an editable install reads them from the repository (assets/,
installers/templates/); a wheel installs them under the environment's
share/sottovoce/ (pyproject.toml, [tool.setuptools.data-files]).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def installed_root() -> Path:
    """Where a wheel puts the shipped files."""
    return Path(sys.prefix) / "share" / "sottovoce"


def shipped_path(in_repository: str, installed: str, *parts: str) -> Path:
    """The repository's copy when there is one, else the installed one (or, when neither
    exists, the repository path, for a clear "missing" message)."""
    checkout = REPOSITORY.joinpath(in_repository, *parts)
    if checkout.exists():
        return checkout
    candidate = installed_root().joinpath(installed, *parts)
    return candidate if candidate.exists() else checkout


def asset_path(*parts: str) -> Path:
    """Path of a file under assets/ (e.g. asset_path("speech", "dictation-10s.flac"))."""
    return shipped_path("assets", "assets", *parts)
