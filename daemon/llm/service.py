"""The LLM service the API uses: model lookup, lifetime, a bounded queue, streaming."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any

from daemon.config import LLMSettings
from daemon.engines.handoff import Handoff
from daemon.engines.pool import ModelPool, finish_uncancellable
from daemon.llm.engine import LLMEngine
from daemon.llm.types import Chunk, GenerationParams, Message
from daemon.models.registry import ModelInfo, ModelRegistry
from daemon.upstream.tally import note

_END = object()
# Tokens gather this long between deliveries to the event loop (see Handoff).
GATHER_S = 0.04


class LLMService(ModelPool[LLMEngine]):
    """Chat completions with the installed GGUF models, loading them as needed."""

    def __init__(
        self,
        settings: LLMSettings,
        registry: ModelRegistry,
        load: Callable[[ModelInfo], LLMEngine],
        remote: Mapping[str, Callable[[], LLMEngine]] | None = None,
        default: str | None = None,
    ) -> None:
        """`remote` and `default`: models on the practice's server (clinic mode), one of
        them the default instead of the configured local model."""
        super().__init__(
            "llm",
            default or settings.model,
            registry,
            load,
            settings.idle_timeout,
            settings.device,
            settings.queue_size,
            remote,
        )
        self.settings = settings

    def engine_status(self, engine: LLMEngine) -> dict[str, object]:
        return {**super().engine_status(engine), "context_size": engine.context_size}

    async def async_chat(
        self, messages: list[Message], params: GenerationParams, model: str | None = None
    ) -> dict[str, Any]:
        """A whole completion, generated off the event loop; cancelling the caller stops it."""
        cancel = threading.Event()
        result = await self.async_run(
            lambda engine: engine.chat(messages, params, cancel), model, cancel
        )
        note(result)  # clinic mode: which engine answered, for a rewrite's result
        return result

    async def async_stream(
        self, messages: list[Message], params: GenerationParams, model: str | None = None
    ) -> AsyncGenerator[list[Chunk], None]:
        """Completion chunks in batches as generated; closing the iterator stops generation.

        Batches, not single chunks: a consumer that writes one batch at a time wakes
        its client (and takes the CPU from llama.cpp) once per batch, not per token.
        """
        holder = self.holder(model)
        async with self.queue.slot(), holder.use() as engine:
            handoff: Handoff[object] = Handoff(asyncio.get_running_loop(), GATHER_S)
            cancel = threading.Event()

            def produce() -> None:
                try:
                    with contextlib.closing(engine.stream_chat(messages, params, cancel)) as chunks:
                        for chunk in chunks:
                            handoff.put(chunk)
                except Exception as error:  # handed to the consumer, raised there
                    handoff.put(error)
                finally:
                    handoff.put(_END)

            worker = asyncio.get_running_loop().run_in_executor(self.executor, produce)
            try:
                async for batch in handoff.batches():
                    chunks: list[Chunk] = []
                    ended = False
                    for item in batch:
                        if isinstance(item, Exception):
                            raise item
                        if item is _END:
                            ended = True
                            break
                        if "sottovoce" in item:  # type: ignore[operator]
                            note(item)  # type: ignore[arg-type]
                        chunks.append(item)  # type: ignore[arg-type]
                    if chunks:
                        yield chunks
                    if ended:
                        return
            finally:
                cancel.set()
                # Keep the model held until its thread has really stopped.
                await finish_uncancellable(worker)
