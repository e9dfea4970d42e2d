"""Rewrite text with the local LLM, strip chatter, and check clinical fidelity."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from daemon.config import RewriteSettings
from daemon.errors import UnknownPresetError
from daemon.llm.service import LLMService
from daemon.llm.types import GenerationParams, Message
from daemon.rewrite.cleanup import strip_chatter
from daemon.rewrite.fidelity import FidelityReport, check_fidelity
from daemon.rewrite.presets import all_presets, system_prompt


@dataclass(frozen=True)
class RewriteResult:
    """A checked rewrite."""

    text: str
    preset: str | None
    model: str
    fidelity: FidelityReport
    seconds: float
    # Whether a client should put the text in place (the hotkey agent obeys it): the policy
    # lives with the daemon's config, not in a copy each client keeps.
    replace: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "preset": self.preset,
            "model": self.model,
            "fidelity": {**self.fidelity.to_dict(), "summary": self.fidelity.summary()},
            "replace": self.replace,
        }


class RewriteService:
    """Presets, prompts and the fidelity check around the LLM service."""

    def __init__(self, settings: RewriteSettings, llm: LLMService) -> None:
        self.settings = settings
        self._llm = llm
        self.presets = all_presets(settings)
        # Starts as configured; the tray may change it while the daemon runs.
        self.default_preset = settings.default_preset

    def check_preset(self, name: str) -> None:
        """UnknownPresetError unless a preset of that name exists."""
        if name not in self.presets:
            available = ", ".join(sorted(self.presets))
            raise UnknownPresetError(f"unknown preset {name!r} (available: {available})")

    def set_default_preset(self, name: str) -> None:
        """Use this preset when a request names none."""
        self.check_preset(name)
        self.default_preset = name

    def messages(self, text: str, preset: str | None, instruction: str | None) -> list[Message]:
        """Chat messages for one rewrite; presets give byte-identical system prompts."""
        if instruction:
            system = system_prompt(instruction)
        else:
            name = preset or self.default_preset
            self.check_preset(name)
            system = system_prompt(self.presets[name].instruction)
        return [{"role": "system", "content": system}, {"role": "user", "content": text}]

    def params(self, text: str) -> GenerationParams:
        """Greedy decoding, room for a rewrite about twice as long as the text."""
        budget = min(self._llm.settings.max_tokens, len(text) // 2 + 128)
        return GenerationParams(temperature=0.0, top_p=1.0, max_tokens=budget, seed=0)

    async def async_rewrite(
        self, text: str, preset: str | None, instruction: str | None, model: str | None = None
    ) -> RewriteResult:
        """Rewrite and check; the result carries the fidelity report."""
        chosen = None if instruction else (preset or self.default_preset)
        messages = self.messages(text, preset, instruction)
        started = time.perf_counter()
        result = await self._llm.async_chat(messages, self.params(text), model)
        raw = result["choices"][0]["message"].get("content") or ""
        return self._finish(text, raw, chosen, model, started)

    async def async_stream(
        self, text: str, preset: str | None, instruction: str | None, model: str | None = None
    ) -> AsyncGenerator[str | RewriteResult, None]:
        """Text deltas while generating, then the checked RewriteResult."""
        chosen = None if instruction else (preset or self.default_preset)
        messages = self.messages(text, preset, instruction)
        started = time.perf_counter()
        parts: list[str] = []
        batches = self._llm.async_stream(messages, self.params(text), model)
        async with contextlib.aclosing(batches):
            async for batch in batches:
                delta = "".join(c["choices"][0]["delta"].get("content") or "" for c in batch)
                if delta:
                    parts.append(delta)
                    yield delta
        yield self._finish(text, "".join(parts), chosen, model, started)

    def _finish(
        self, source: str, raw: str, preset: str | None, model: str | None, started: float
    ) -> RewriteResult:
        text = strip_chatter(raw, source=source)
        fidelity = check_fidelity(source, text)
        return RewriteResult(
            text=text,
            preset=preset,
            model=self._llm.holder(model).name,
            fidelity=fidelity,
            seconds=time.perf_counter() - started,
            replace=fidelity.ok or self.settings.replace_when_unfaithful,
        )
