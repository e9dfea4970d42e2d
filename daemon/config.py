"""The typed settings object, read once from TOML at the entry point and passed in."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from daemon.errors import ConfigError
from daemon.loopback import LOOPBACK_NAMES, is_loopback
from daemon.paths import Paths
from daemon.speech.hints import Specialty
from daemon.upstream.settings import UpstreamSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PORT = 8765
# sun_path holds 108 bytes on Linux, 104 on macOS, with the closing NUL.
MAX_SOCKET_PATH = 103


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = DEFAULT_PORT
    unix_socket: str = ""
    allowed_origins: tuple[str, ...] = ()
    max_json_bytes: Annotated[int, Field(ge=1024)] = 256 * 1024
    # At most 1 GiB: an upload goes whole to a sandboxed worker, which reads no larger frame.
    max_upload_bytes: Annotated[int, Field(ge=1024, le=1 << 30)] = 50 * 1024 * 1024
    # A connection idle this long, or still sending its first request's headers, is closed.
    idle_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    # A request body must arrive in full within this time (408 otherwise).
    body_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 120.0
    # Past this many open connections, the oldest one that has not shown the token is closed.
    max_connections: Annotated[int, Field(ge=2, le=10000)] = 256

    @property
    def address(self) -> str:
        """The address to bind and to reach: 'localhost' is 127.0.0.1 without asking the
        resolver, which a changed /etc/hosts could point at a non-loopback address."""
        return "127.0.0.1" if self.host.lower() in LOOPBACK_NAMES else self.host

    @field_validator("unix_socket")
    @classmethod
    def _socket_path(cls, value: str) -> str:
        if not value:
            return value
        if sys.platform == "win32":
            raise ValueError("Unix sockets are not supported on Windows; leave it empty")
        path = os.path.expanduser(value)
        if not os.path.isabs(path):
            raise ValueError(f"{value!r} must be an absolute path (or start with ~)")
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            raise ValueError(
                f"{value!r} is longer than {MAX_SOCKET_PATH} bytes, too long for a socket"
            )
        return path

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if not is_loopback(value):
            raise ValueError(
                f"{value!r} is not a loopback address; Sottovoce serves only 127.0.0.1, ::1 "
                "or localhost so that no other machine can reach it"
            )
        return value


Device = Literal["auto", "cpu", "cuda"]


class SpeechSettings(_Section):
    # Chosen by measurement on clinical speech (README, "Dictation accuracy on clinical speech").
    model: str = "whisper-base"
    device: Device = "auto"
    idle_timeout: Annotated[int, Field(ge=-1)] = 300
    load_at_start: bool = True
    language: str = ""
    # Whisper's own and faster-whisper's default; against greedy decoding (1) it lowered the
    # word error rate in six of seven voice x split cells, at about twice the decoding
    # time (README, "Dictation accuracy on clinical speech").
    beam_size: Annotated[int, Field(ge=1, le=10)] = 5
    vad: bool = True
    queue_size: Annotated[int, Field(ge=1, le=256)] = 16
    # Longest upload to POST /v1/audio/transcriptions (a whole visit or session).
    max_audio_seconds: Annotated[int, Field(ge=1, le=6 * 3600)] = 3600


class LLMSettings(_Section):
    model: str = "smollm2-135m-instruct"
    device: Device = "auto"
    idle_timeout: Annotated[int, Field(ge=-1)] = 300
    load_at_start: bool = False
    context_size: Annotated[int, Field(ge=0)] = 0
    queue_size: Annotated[int, Field(ge=0, le=256)] = 4
    max_tokens: Annotated[int, Field(ge=1)] = 1024


class Preset(_Section):
    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    instruction: Annotated[str, Field(min_length=1, max_length=4000)]
    description: str = ""
    # False: the deterministic clinical clean-up (daemon.rewrite.clinical), no model.
    llm: bool = True


class RewriteSettings(_Section):
    default_preset: str = "proofread"
    replace_when_unfaithful: bool = False
    max_text_chars: Annotated[int, Field(ge=1)] = 8000
    presets: tuple[Preset, ...] = ()
    # The clinical clean-up before every LLM rewrite (daemon.rewrite.prepass); presets
    # named in raw_presets rewrite the user's text as written.
    tidy_first: bool = True
    raw_presets: tuple[str, ...] = ()


class HistorySettings(_Section):
    enabled: bool = True
    retention_days: Annotated[int, Field(ge=0)] = 30
    store_audio: bool = False
    key_source: Literal["auto", "keyring", "file", "env"] = "auto"
    passphrase_env: str = "SOTTOVOCE_HISTORY_PASSPHRASE"


class DictationSettings(_Section):
    vocabulary: tuple[str, ...] = ()
    replacements: dict[str, str] = Field(default_factory=dict)
    # The clinical prompt and its drug list (daemon/speech/hints.py), opt-in: it helps drug
    # names, but on whisper-base it turned an espeak-ng "The patient denies chest pain"
    # into "Laption to the eyes, chest pain" (a lost negation; tests/speech/test_clinical_dictation.py).
    specialty: Specialty = "none"
    # Sound-alike runs of words become the lexicon's drug name ("met form in": metformin).
    correct_drug_names: bool = True
    # A segment that seems to hold a misheard drug is decoded again with a prompt of the
    # drugs it sounds like, and only the drug names are taken (daemon/speech/rescue.py).
    rescue_drug_names: bool = True
    spoken_commands: bool = True
    normalize_numbers: bool = False
    max_seconds: Annotated[int, Field(ge=1)] = 1800


class HotkeySettings(_Section):
    enabled: bool = True
    push_to_talk: str = "<ctrl>+<alt>+<space>"
    toggle_dictation: str = "<ctrl>+<alt>+d"
    rewrite: str = "<ctrl>+<alt>+r"
    cancel: str = "<esc>"
    presets: dict[str, str] = Field(default_factory=dict)
    injection: Literal["auto", "type", "paste"] = "auto"
    microphone: str = ""
    # Keep the microphone open while the hotkeys are armed, so the first word is never lost
    # to a cold audio source; audio stays in memory, only the last `preroll_seconds`.
    warm_microphone: bool = True
    preroll_seconds: Annotated[float, Field(ge=0, le=2)] = 0.5
    audio_cues: bool = True
    exclude: tuple[str, ...] = ()


class SandboxSettings(_Section):
    # Per engine worker: 0 is half of this machine's memory, -1 no limit.
    memory_limit_mb: Annotated[int, Field(ge=-1)] = 0


class Settings(_Section):
    """Everything configurable, validated; built once by `load_settings`."""

    server: ServerSettings = ServerSettings()
    speech: SpeechSettings = SpeechSettings()
    llm: LLMSettings = LLMSettings()
    rewrite: RewriteSettings = RewriteSettings()
    history: HistorySettings = HistorySettings()
    dictation: DictationSettings = DictationSettings()
    hotkeys: HotkeySettings = HotkeySettings()
    sandbox: SandboxSettings = SandboxSettings()
    # Clinic mode: the practice's GPU server answers instead (off unless configured).
    upstream: UpstreamSettings = UpstreamSettings()

    def with_overrides(self, section: str, **values: Any) -> Settings:
        """A copy with some values of one section replaced (validated again)."""
        data = self.model_dump()
        data[section].update(values)
        return _validate(data, source="command line")


def _format(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{source}: {key}: {message}")
    return "invalid configuration\n" + "\n".join(lines)


def _validate(data: dict[str, Any], source: str) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format(error, source)) from None


def load_settings(paths: Paths, config_file: Path | None = None) -> Settings:
    """Read and validate the TOML config; a missing file means all defaults."""
    path = config_file or paths.config_file
    if not path.exists():
        if config_file is not None:
            raise ConfigError(f"config file {path} does not exist")
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    return _validate(data, source=path.name)


def save_values(path: Path, changes: dict[str, dict[str, str]]) -> None:
    """Write `changes` (section -> key -> value) into the config file, keeping its comments
    and everything else as the user wrote it. An unreadable file, or one that would no
    longer be valid, is left untouched and raises ConfigError.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    except TOMLKitError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    for section, values in changes.items():
        table = document.setdefault(section, tomlkit.table())
        for key, value in values.items():
            table[key] = value
    _validate(document.unwrap(), source=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(tomlkit.dumps(document), encoding="utf-8")
        if path.exists():
            partial.chmod(path.stat().st_mode & 0o777)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot be written: {error.strerror}") from None
