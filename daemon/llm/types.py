"""Typed generation parameters shared by chat completions and rewrites."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
Chunk = dict[str, Any]


@dataclass(frozen=True)
class GenerationParams:
    """Sampling parameters of one request."""

    temperature: float = 0.2
    top_p: float = 0.95
    max_tokens: int = 512
    stop: tuple[str, ...] = field(default_factory=tuple)
    seed: int | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    # A GBNF grammar the output must match (llama.cpp's constrained decoding): a
    # classifier's answer is then one of its labels by construction.
    grammar: str | None = None
