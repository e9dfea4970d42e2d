"""How many tokens of context a model gets: no more than it was trained for or memory holds."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 4096
MIN_CONTEXT = 512
# The KV cache may take this share of the memory left once the weights are in.
KV_SHARE = 0.5
F16_BYTES = 2


@dataclass(frozen=True)
class ModelShape:
    """What a GGUF file's metadata says about context and KV-cache size (0: not stated)."""

    trained_context: int
    kv_bytes_per_token: int

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str]) -> ModelShape:
        arch = metadata.get("general.architecture", "")

        def number(key: str, default: int = 0) -> int:
            try:
                return int(metadata.get(f"{arch}.{key}", default))
            except ValueError:
                return default

        heads = number("attention.head_count")
        head_dim = number("attention.key_length") or (
            number("embedding_length") // heads if heads else 0
        )
        kv_heads = number("attention.head_count_kv", heads)
        # Keys and values, f16, for every layer.
        kv = 2 * number("block_count") * kv_heads * head_dim * F16_BYTES
        return cls(number("context_length"), kv)


def read_shape(path: Path) -> ModelShape:
    """The shape of a GGUF model, read from its metadata without loading the weights."""
    from llama_cpp import Llama

    vocab = Llama(model_path=str(path), vocab_only=True, verbose=False)
    try:
        return ModelShape.from_metadata(vocab.metadata)
    finally:
        vocab.close()


def choose_context(requested: int, shape: ModelShape, free_bytes: int) -> int:
    """`requested` when set (0: automatic); else the default, cut to the trained
    context and halved until the KV cache fits in its share of `free_bytes`."""
    if requested:
        if shape.trained_context and requested > shape.trained_context:
            log.warning(
                "llm.context_size %d is beyond the %d tokens the model was trained for; "
                "its answers may degrade",
                requested,
                shape.trained_context,
            )
        return requested
    size = min(DEFAULT_CONTEXT, shape.trained_context or DEFAULT_CONTEXT)
    budget = free_bytes * KV_SHARE
    while size > MIN_CONTEXT and size * shape.kv_bytes_per_token > budget:
        size //= 2
    return size


def context_for(path: Path, requested: int) -> int:
    """The context size to load the model at `path` with (see choose_context)."""
    free = max(0, psutil.virtual_memory().available - path.stat().st_size)
    return choose_context(requested, read_shape(path), free)
