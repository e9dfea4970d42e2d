"""One bounded generation for a rewrite: streamed, and stopped as soon as it loops."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from daemon.llm.service import LLMService
from daemon.llm.types import GenerationParams, Message
from daemon.rewrite.chatter import repeats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    """What the model produced, and whether it ran away (looped or used up its budget)."""

    text: str
    runaway: bool


async def async_generate(
    llm: LLMService, messages: list[Message], params: GenerationParams, model: str | None
) -> Generation:
    """Generate until done, the token budget is spent, or the text starts repeating.

    A repeating stream is closed at once, which cancels the generation in the engine:
    a tiny model that loops would otherwise spend its whole budget on the loop.
    """
    parts: list[str] = []
    finish = None
    batches = llm.async_stream(messages, params, model)
    async with contextlib.aclosing(batches):
        async for batch in batches:
            for chunk in batch:
                choice = chunk["choices"][0]
                parts.append(choice["delta"].get("content") or "")
                finish = choice.get("finish_reason") or finish
            if repeats("".join(parts)):
                log.info("a rewrite piece started repeating; its generation was stopped")
                return Generation("".join(parts), runaway=True)
    return Generation("".join(parts), runaway=finish == "length")
