"""Rewrite one piece, and keep the original unless the rewrite is faithful and sane.

Each piece gets the same byte-identical prompt prefix (system prompt and
few-shot examples, see presets.few_shot_messages) so llama.cpp evaluates only
the piece itself; a token budget bounded by the piece's length; a new line as
stop sequence (a piece is one line); a stream that is stopped once it repeats;
and one retry, sampled, when the greedy answer is rejected.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from daemon.clinical.do_not_use import flag_do_not_use
from daemon.llm.service import LLMService
from daemon.llm.types import GenerationParams, Message
from daemon.rewrite.chatter import reject_reason
from daemon.rewrite.cleanup import strip_chatter
from daemon.rewrite.fidelity import check_fidelity
from daemon.rewrite.generate import async_generate
from daemon.rewrite.novelty import (
    dropped,
    lost_actions,
    lost_informants,
    new_persons,
    novelty,
    swapped,
)
from daemon.rewrite.presets import Style
from daemon.rewrite.result import REWRITTEN, UNCHANGED

# Greedy first; the retry samples a little, with a fixed seed (same input, same output).
ATTEMPTS = (
    GenerationParams(temperature=0.0, top_p=1.0, seed=0),
    GenerationParams(temperature=0.4, top_p=0.9, seed=1),
)
STOP = ("\n",)
CHARS_PER_TOKEN = 3.0
# Where a run-on rewrite may be cut: a comma, semicolon or full stop and a space.
_CLAUSE_END_RE = re.compile(r"[,;.](?=\s)")
BUDGET_SLACK = 12


@dataclass(frozen=True)
class Decision:
    """The text a piece gets and why: the rewrite, or the original kept."""

    text: str
    kept: bool
    reason: str


class PieceRewriter:
    """Rewrites the pieces of one request with one prompt prefix."""

    def __init__(self, llm: LLMService, style: Style, model: str | None) -> None:
        self._llm = llm
        self._style = style
        self._model = model

    def budget(self, piece: str) -> int:
        """Tokens a rewrite of `piece` may use: its length times the preset's growth."""
        wanted = math.ceil(len(piece) / CHARS_PER_TOKEN * self._style.growth) + BUDGET_SLACK
        return min(self._llm.settings.max_tokens, wanted)

    async def async_decide(self, piece: str) -> Decision:
        """The rewrite of `piece` if one attempt gives a faithful, sane one; else `piece`."""
        if not any(char.isalpha() for char in piece):
            return Decision(piece, kept=True, reason="nothing to rewrite")
        messages: list[Message] = [*self._style.prefix, {"role": "user", "content": piece}]
        reason = "empty"
        for attempt in ATTEMPTS:
            params = GenerationParams(
                temperature=attempt.temperature,
                top_p=attempt.top_p,
                seed=attempt.seed,
                max_tokens=self.budget(piece),
                stop=STOP,
            )
            generation = await async_generate(self._llm, messages, params, self._model)
            candidate = strip_chatter(generation.text, source=piece)
            rejected = "runaway" if generation.runaway else judge(candidate, piece, self._style)
            if rejected is not None:
                head = self._trimmed(candidate, piece)
                if head is not None:
                    candidate, rejected = head, None
            if rejected is None:
                return Decision(candidate, False, UNCHANGED if candidate == piece else REWRITTEN)
            reason = rejected
        return Decision(piece, kept=True, reason=reason)

    def _trimmed(self, candidate: str, piece: str) -> str | None:
        """The longest head of `candidate`, cut at a clause boundary, that passes.

        A tiny model that got the piece right often runs on past its end (", HR 88"
        copied from an example, the sentence again): what it added is dropped, and
        the head is judged like any rewrite.
        """
        end = piece.rstrip()[-1:] if piece.rstrip()[-1:] in ".!?" else ""
        cuts = [m.start() for m in _CLAUSE_END_RE.finditer(candidate)]
        for cut in reversed(cuts):
            head = candidate[:cut].rstrip(" ,;:") + end
            if judge(head, piece, self._style) is None:
                return head
        return None


def judge(candidate: str, piece: str, style: Style) -> str | None:
    """Why `candidate` cannot replace `piece` under `style`'s limits (None: it can)."""
    rejected = reject_reason(candidate, piece)
    longest = len(piece.strip()) * (style.max_length or math.inf)
    if rejected is None and len(candidate.strip()) > longest:
        rejected = "too long"
    if rejected is None and not check_fidelity(piece, candidate).ok:
        rejected = "unfaithful"
    if rejected is None and novelty(candidate, piece) > style.max_novelty:
        rejected = "invented words"
    if rejected is None and (
        dropped(candidate, piece) > style.max_dropped or lost_actions(candidate, piece)
    ):
        rejected = "dropped words"
    allowed = style.new_persons
    if rejected is None and allowed is not None and new_persons(candidate, piece) - allowed:
        rejected = "changed person"
    if rejected is None and lost_informants(candidate, piece):
        rejected = "changed person"
    if rejected is None and style.keep_spelled and swapped(candidate, piece) is not None:
        rejected = "changed words"
    if rejected is None and _do_not_use(candidate) != _do_not_use(piece):
        rejected = "do not use changed"
    return rejected


def _do_not_use(text: str) -> Counter[tuple[str, str]]:
    """The "Do Not Use" notations of a text: flagged, never changed, so the writer decides
    what "10 U" or "qd" meant (a model that spells them out guesses)."""
    return Counter((w.code, w.text.lower()) for w in flag_do_not_use(text))
