"""Model discovery: embedded defaults found without configuration, user models by path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from daemon.errors import ModelError, ModelNotFoundError
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from tests.support.daemon import sottovoce


@pytest.fixture
def registry(isolated_home: Path) -> ModelRegistry:
    return ModelRegistry(Paths.from_env())


def test_embedded_defaults_are_found(registry: ModelRegistry) -> None:
    assert {"whisper-base", "whisper-tiny.en"} <= set(registry.names("speech"))
    assert "smollm2-135m-instruct" in registry.names("llm")


def test_split_whisper_base_is_joined_once(registry: ModelRegistry, isolated_home: Path) -> None:
    info = registry.resolve("speech", "whisper-base")
    model_bin = info.path / "model.bin"
    assert isolated_home in info.path.parents
    assert model_bin.stat().st_size > 140_000_000
    first = model_bin.stat().st_mtime_ns
    registry.resolve("speech", "whisper-base")
    assert model_bin.stat().st_mtime_ns == first


def test_unknown_model_names_installed_ones(registry: ModelRegistry) -> None:
    with pytest.raises(ModelNotFoundError, match="whisper-base"):
        registry.resolve("speech", "large-v3")


def test_folder_without_tokenizer_is_refused(registry: ModelRegistry, tmp_path: Path) -> None:
    source = registry.resolve("speech", "whisper-tiny.en").path
    copy = tmp_path / "my-whisper"
    shutil.copytree(source, copy)
    (copy / "tokenizer.json").unlink()
    # Without tokenizer.json faster-whisper would fetch one from the hub.
    with pytest.raises(ModelError, match="missing tokenizer"):
        registry.add(copy)


def test_add_registers_speech_folder_and_gguf(
    registry: ModelRegistry, tmp_path: Path, isolated_home: Path
) -> None:
    source = registry.resolve("speech", "whisper-tiny.en").path
    copy = tmp_path / "Clinic-Whisper"
    shutil.copytree(source, copy)
    info = registry.add(copy)
    assert (info.kind, info.name) == ("speech", "clinic-whisper")
    gguf = registry.resolve("llm", "smollm2-135m-instruct").path
    llm = registry.add(gguf, name="my-llm")
    assert (llm.kind, llm.name) == ("llm", "my-llm")
    assert "clinic-whisper" in ModelRegistry(Paths.from_env()).names("speech")
    result = sottovoce("models", "list", home=isolated_home)
    assert "clinic-whisper" in result.stdout and "my-llm" in result.stdout
    assert registry.remove("my-llm") and "my-llm" not in registry.names("llm")


def test_non_gguf_file_is_refused(registry: ModelRegistry, tmp_path: Path) -> None:
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        registry.add(bogus)


def test_cli_add_missing_path_is_clear(isolated_home: Path) -> None:
    result = sottovoce("models", "add", "/nonexistent/model", home=isolated_home)
    assert result.returncode == 1
    assert "does not exist" in result.stderr
