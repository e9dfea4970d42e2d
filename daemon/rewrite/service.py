"""Rewrite text with the local LLM, fact-preserving by construction.

The text is split into pieces (sentences, clauses) that are rewritten one by
one, each checked on its own (fidelity guard, chatter, degenerate output) and
kept as the model got it when its rewrite fails; structuring presets (SOAP) only sort
the sentences under headings. The merged text is checked as a whole too: should
it still fail the guard, the pieces as the model got them are returned. Wording
presets and free instructions run the deterministic clinical clean-up first
(daemon.rewrite.prepass): a piece whose rewrite is rejected keeps its tidied form.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncGenerator

from daemon.clinical.do_not_use import flag_do_not_use
from daemon.config import RewriteSettings
from daemon.errors import UnknownPresetError
from daemon.llm.service import LLMService
from daemon.rewrite import structure
from daemon.rewrite.clinical import tidy
from daemon.rewrite.fidelity import check_fidelity
from daemon.rewrite.novelty import load_lexicon
from daemon.rewrite.pieces import Split, split
from daemon.rewrite.piecewise import PieceRewriter
from daemon.rewrite.prepass import Prepared, prepare
from daemon.rewrite.presets import all_presets, style
from daemon.rewrite.result import REWRITTEN, UNCHANGED, PieceOutcome, RewriteResult
from daemon.upstream.tally import start_tally, summary

log = logging.getLogger(__name__)

# Structuring presets: their name and the headings they sort sentences under.
STRUCTURED: dict[str, tuple[str, ...]] = {"soap": structure.SOAP}
MERGED_UNFAITHFUL = "merged text unfaithful"
# The `model` of a rewrite that no model made (the clinical clean-up).
DETERMINISTIC = "deterministic"


class RewriteService:
    """Presets, prompts and the fidelity check around the LLM service."""

    def __init__(self, settings: RewriteSettings, llm: LLMService) -> None:
        self.settings = settings
        self._llm = llm
        self.presets = all_presets(settings)
        for name in sorted(set(settings.raw_presets) - set(self.presets)):
            log.warning("[rewrite] raw_presets names %r, which is no preset", name)
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

    async def async_rewrite(
        self, text: str, preset: str | None, instruction: str | None, model: str | None = None
    ) -> RewriteResult:
        """Rewrite and check; the result carries the fidelity report."""
        stream = self.async_stream(text, preset, instruction, model)
        async with contextlib.aclosing(stream):
            async for item in stream:
                if isinstance(item, RewriteResult):
                    return item
        raise AssertionError("a rewrite stream ends with its result")

    async def async_stream(
        self, text: str, preset: str | None, instruction: str | None, model: str | None = None
    ) -> AsyncGenerator[PieceOutcome | RewriteResult, None]:
        """Each piece's outcome as it is decided, then the checked RewriteResult."""
        chosen = None if instruction else (preset or self.default_preset)
        if chosen is not None:
            self.check_preset(chosen)
            if not self.presets[chosen].llm:
                async for item in self._async_tidy(text, chosen):
                    yield item
                return
        started = time.perf_counter()
        await asyncio.to_thread(load_lexicon)  # cached after the first rewrite
        tally = start_tally()  # clinic mode: which engine answered the pieces
        outcomes: list[PieceOutcome] = []
        if chosen in STRUCTURED:
            pieces = split(text)
            decide = self._async_sort(pieces, STRUCTURED[chosen], model)
        else:
            prepared = prepare(text, self.tidies_first(chosen))
            pieces = prepared.pieces
            decide = self._async_rewrite_pieces(prepared, chosen, instruction, model)
        async with contextlib.aclosing(decide):
            async for outcome in decide:
                outcomes.append(outcome)
                yield outcome
        if chosen in STRUCTURED:
            merged = structure.render(
                [(o.section or "", o.text) for o in outcomes], STRUCTURED[chosen]
            )
        else:
            merged = pieces.merge(o.text for o in outcomes)
        report = check_fidelity(text, merged)
        if not report.ok:
            # The pieces as the model got them: the user's, or tidied (which the guard passed).
            merged = pieces.merge()
            report = check_fidelity(text, merged)
            outcomes = [_reverted(o, pieces) for o in outcomes]
        yield RewriteResult(
            text=merged,
            preset=chosen,
            model=self._llm.holder(model).name,
            fidelity=report,
            seconds=time.perf_counter() - started,
            pieces=tuple(outcomes),
            replace=report.ok or self.settings.replace_when_unfaithful,
            warnings=flag_do_not_use(merged),
            answered_by=summary(tally),
        )

    async def _async_tidy(
        self, text: str, preset: str
    ) -> AsyncGenerator[PieceOutcome | RewriteResult, None]:
        """The deterministic clinical clean-up: the whole text as one piece, no model."""
        started = time.perf_counter()
        tidied = tidy(text)
        outcome = PieceOutcome(
            0, "", tidied.text, False, REWRITTEN if tidied.text != text else UNCHANGED
        )
        yield outcome
        report = check_fidelity(text, tidied.text)
        yield RewriteResult(
            text=tidied.text,
            preset=preset,
            model=DETERMINISTIC,
            fidelity=report,
            seconds=time.perf_counter() - started,
            pieces=(outcome,),
            replace=report.ok or self.settings.replace_when_unfaithful,
            warnings=tidied.warnings,
        )

    def tidies_first(self, preset: str | None) -> bool:
        """Whether a rewrite with `preset` (None: a free instruction) runs the clean-up first."""
        return self.settings.tidy_first and preset not in self.settings.raw_presets

    async def _async_rewrite_pieces(
        self, prepared: Prepared, preset: str | None, instruction: str | None, model: str | None
    ) -> AsyncGenerator[PieceOutcome, None]:
        chosen = None if instruction else self.presets[preset or self.default_preset]
        wording = instruction or (chosen.instruction if chosen else "")
        rewriter = PieceRewriter(self._llm, style(chosen, wording), model)
        for index, piece in enumerate(prepared.pieces.pieces):
            decision = await rewriter.async_decide(piece.text)
            yield PieceOutcome(
                index,
                piece.before,
                decision.text,
                decision.kept,
                decision.reason,
                tidied=prepared.tidied[index],
            )

    async def _async_sort(
        self, pieces: Split, sections: tuple[str, ...], model: str | None
    ) -> AsyncGenerator[PieceOutcome, None]:
        for index, piece in enumerate(pieces.pieces):
            question = structure.question(piece.text, sections)
            section, reason = question.settled, "cue"
            if section is None:
                result = await self._llm.async_chat(
                    structure.messages(piece.text), structure.params(question), model
                )
                answer = result["choices"][0]["message"].get("content") or ""
                section, reason = structure.section_of(answer, question), "model"
            yield PieceOutcome(index, piece.before, piece.text, True, reason, section)


def _reverted(outcome: PieceOutcome, pieces: Split) -> PieceOutcome:
    original = pieces.pieces[outcome.index].text
    return dataclasses.replace(outcome, text=original, kept=True, reason=MERGED_UNFAITHFUL)
