"""llama-cpp-python behind a small interface; generation runs in worker threads."""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, Protocol, cast

from jinja2 import TemplateError

from daemon.device import DeviceName, physical_cores
from daemon.errors import (
    ContextOverflowError,
    LLMEngineError,
    LLMError,
    LLMRequestError,
    ModelLoadError,
)
from daemon.llm.context import context_for
from daemon.llm.types import Chunk, GenerationParams, Message
from daemon.models.registry import ModelInfo

log = logging.getLogger(__name__)


def sampling_kwargs(params: GenerationParams) -> dict[str, Any]:
    """llama-cpp-python's sampling arguments for `params`."""
    constraint: dict[str, Any] = {}
    if params.grammar is not None:
        constraint["grammar"] = compile_grammar(params.grammar)
    return {
        **constraint,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
        "stop": list(params.stop),
        "seed": params.seed,
        "presence_penalty": params.presence_penalty,
        "frequency_penalty": params.frequency_penalty,
    }


def compile_grammar(grammar: str) -> Any:
    """llama.cpp's parsed form of a GBNF grammar (grammars come from the daemon's own
    code, never from a request)."""
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(grammar, verbose=False)


def llm_threads() -> int:
    """Threads for llama.cpp: every physical core but one, which the desktop keeps.

    llama.cpp's threads meet at a barrier after every layer; when another process holds
    one of their cores, every token waits for it. On 2 busy cores a piece of a rewrite
    took 5 to 10 times longer with 2 threads than with 1 (measured, SmolLM2-135M).
    """
    return max(1, physical_cores() - 1)


def load_kwargs(path: Path, device: DeviceName, context_size: int) -> dict[str, Any]:
    """llama-cpp-python's load arguments (the benchmark's direct call uses them too)."""
    return {
        "model_path": str(path),
        "n_gpu_layers": -1 if device == "cuda" else 0,
        "n_ctx": context_size,
        "n_threads": llm_threads(),
        "n_threads_batch": llm_threads(),
        "verbose": False,
    }


class LLMEngine(Protocol):
    """A loaded language model."""

    device: DeviceName
    context_size: int

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> Generator[Chunk, None, None]:
        """OpenAI-shaped completion chunks until done or `cancel` is set (blocking)."""

    def chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> dict[str, Any]:
        """A whole OpenAI-shaped chat completion (blocking); `cancel` ends it early."""


class LlamaEngine:
    """One GGUF model loaded with llama.cpp; one generation at a time."""

    def __init__(self, info: ModelInfo, device: DeviceName, context_size: int) -> None:
        """Load the model; `context_size` 0 chooses one that fits the model and memory."""
        from daemon.llm.llama import CancellableLlama

        self.info = info
        self.device: DeviceName = device
        # llama.cpp's context is not thread-safe: a cancelled request may still
        # be unwinding in its thread when the next one starts.
        self._lock = threading.Lock()
        try:
            self.context_size = context_for(info.path, context_size)
            # chat_format=None: the chat template comes from the GGUF metadata.
            self._llama = CancellableLlama(**load_kwargs(info.path, device, self.context_size))
        except Exception as error:
            log.error("llama.cpp could not load %s: %s", info.name, type(error).__name__)
            raise ModelLoadError(
                f"language model {info.name!r} could not be loaded ({type(error).__name__}); "
                f"check the file, or remove it with `sottovoce models remove {info.name}`"
            ) from error
        log.info("loaded %s on %s with %d tokens of context", info.name, device, self.context_size)

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> Generator[Chunk, None, None]:
        """Yield completion chunks; stops between tokens once `cancel` is set."""
        with self._lock:
            self._llama.cancel = cancel
            try:
                chunks = self._llama.create_chat_completion(
                    messages=messages,  # type: ignore[arg-type]
                    stream=True,
                    **sampling_kwargs(params),
                )
                yield from cast(Iterator[Chunk], chunks)
            except (ValueError, TemplateError) as error:
                raise self._translate(error) from None

    def chat(
        self, messages: list[Message], params: GenerationParams, cancel: threading.Event
    ) -> dict[str, Any]:
        """A whole OpenAI-shaped chat completion, with token usage (blocking); once
        `cancel` is set it ends after the current token."""
        with self._lock:
            self._llama.cancel = cancel
            try:
                result: dict[str, Any] = self._llama.create_chat_completion(  # type: ignore[assignment]
                    messages=messages,  # type: ignore[arg-type]
                    **sampling_kwargs(params),
                )
            except (ValueError, TemplateError) as error:
                raise self._translate(error) from None
            return result

    def _translate(self, error: Exception) -> LLMError:
        if isinstance(error, TemplateError):
            return LLMRequestError("the messages do not fit the model's chat template")
        if "context window" in str(error) or "exceed" in str(error):
            return ContextOverflowError(
                f"the prompt is too long for the model's context of {self.context_size} tokens"
            )
        return LLMEngineError(f"generation failed: {type(error).__name__}")

    def close(self) -> None:
        """Free the model (waits for a running generation to stop)."""
        with self._lock:
            self._llama.close()
