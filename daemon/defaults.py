"""The defaults a request falls back on: speech model, language model, rewrite preset.

A change is validated, saved in config.toml first (its comments kept) so that it
outlasts a restart, and only then applied to the running daemon.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.config import save_values
from daemon.engines.pool import ModelPool
from daemon.rewrite.service import RewriteService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DefaultsChange:
    """The defaults to change; None keeps one as it is."""

    speech_model: str | None = None
    llm_model: str | None = None
    rewrite_preset: str | None = None


class DefaultsService:
    """Reads and changes the defaults; one writer of config.toml at a time."""

    def __init__(
        self,
        config_file: Path,
        speech: ModelPool[Any],
        llm: ModelPool[Any],
        rewrite: RewriteService,
    ) -> None:
        self._config_file = config_file
        self._speech = speech
        self._llm = llm
        self._rewrite = rewrite
        self._lock = asyncio.Lock()

    def current(self) -> dict[str, str]:
        """The defaults in force."""
        return {
            "speech_model": self._speech.default,
            "llm_model": self._llm.default,
            "rewrite_preset": self._rewrite.default_preset,
        }

    async def async_change(self, change: DefaultsChange) -> dict[str, str]:
        """Validate, save, apply; an unknown name (ModelNotFoundError, UnknownPresetError)
        or a config file that cannot be written (ConfigError) changes nothing."""
        await asyncio.to_thread(self._validate, change)  # the registry reads files
        changes = _config_changes(change)
        if not changes:
            return self.current()
        async with self._lock:
            await asyncio.to_thread(save_values, self._config_file, changes)
            if change.speech_model is not None:
                await self._speech.async_set_default(change.speech_model)
            if change.llm_model is not None:
                await self._llm.async_set_default(change.llm_model)
            if change.rewrite_preset is not None:
                self._rewrite.set_default_preset(change.rewrite_preset)
        return self.current()

    def _validate(self, change: DefaultsChange) -> None:
        if change.speech_model is not None:
            self._speech.check_installed(change.speech_model, "speech_model")
        if change.llm_model is not None:
            self._llm.check_installed(change.llm_model, "llm_model")
        if change.rewrite_preset is not None:
            self._rewrite.check_preset(change.rewrite_preset)


def _config_changes(change: DefaultsChange) -> dict[str, dict[str, str]]:
    changes: dict[str, dict[str, str]] = {}
    for section, key, value in (
        ("speech", "model", change.speech_model),
        ("llm", "model", change.llm_model),
        ("rewrite", "default_preset", change.rewrite_preset),
    ):
        if value is not None:
            changes.setdefault(section, {})[key] = value
    return changes
