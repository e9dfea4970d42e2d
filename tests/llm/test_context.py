"""The context size: what the model was trained for and what memory holds, unless configured."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from daemon.llm.context import (
    DEFAULT_CONTEXT,
    MIN_CONTEXT,
    ModelShape,
    choose_context,
    context_for,
    read_shape,
)
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths

GIB = 1024**3
# A 7B model without grouped-query attention: 0.5 MiB of KV cache per token.
LARGE_KV = 2 * 32 * 32 * 128 * 2


@pytest.fixture
def smollm2(isolated_home: Path) -> Path:
    return ModelRegistry(Paths.from_env()).resolve("llm", "smollm2-135m-instruct").path


def test_the_shape_of_the_embedded_model_is_read_from_its_metadata(smollm2: Path) -> None:
    shape = read_shape(smollm2)
    assert shape.trained_context == 8192
    # 30 layers, 3 KV heads of 64 dimensions, keys and values in f16.
    assert shape.kv_bytes_per_token == 2 * 30 * 3 * 64 * 2


def test_the_embedded_model_gets_the_default_context_here(smollm2: Path) -> None:
    assert context_for(smollm2, 0) == DEFAULT_CONTEXT


def test_a_model_trained_on_less_gets_no_more() -> None:
    assert choose_context(0, ModelShape(2048, 1000), 64 * GIB) == 2048


@pytest.mark.parametrize(
    "free, expected", [(64 * GIB, 4096), (2 * GIB, 2048), (1 * GIB, 1024), (0, MIN_CONTEXT)]
)
def test_the_kv_cache_is_halved_until_it_fits_half_the_free_memory(
    free: int, expected: int
) -> None:
    assert choose_context(0, ModelShape(32768, LARGE_KV), free) == expected


def test_metadata_without_the_keys_gives_the_default() -> None:
    shape = ModelShape.from_metadata({"general.architecture": "mystery"})
    assert shape == ModelShape(0, 0)
    assert choose_context(0, shape, 0) == DEFAULT_CONTEXT


def test_grouped_query_attention_is_counted_from_the_kv_heads() -> None:
    metadata = {
        "general.architecture": "llama",
        "llama.context_length": "131072",
        "llama.block_count": "32",
        "llama.embedding_length": "4096",
        "llama.attention.head_count": "32",
        "llama.attention.head_count_kv": "8",
    }
    assert ModelShape.from_metadata(metadata) == ModelShape(131072, 2 * 32 * 8 * 128 * 2)


def test_a_configured_size_is_kept_and_a_risky_one_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert choose_context(1024, ModelShape(2048, LARGE_KV), 0) == 1024
        assert caplog.text == ""
        assert choose_context(8192, ModelShape(2048, LARGE_KV), 0) == 8192
    assert "beyond the 2048 tokens the model was trained for" in caplog.text
