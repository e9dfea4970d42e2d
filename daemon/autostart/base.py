"""What every autostart backend shares: the launch command, plans, results, file helpers."""

from __future__ import annotations

import enum
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from daemon.assets import shipped_path
from daemon.errors import SottovoceError

log = logging.getLogger(__name__)

SERVE_ARGS = ("serve",)
AGENT_ARGS = ("agent",)
# Windows cannot give a Run-key command its own environment, so the home travels as a flag.
HOME_FLAG = "--home"
TOOL_TIMEOUT = 60.0

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


class AutostartError(SottovoceError):
    """Autostart could not be installed, removed or inspected."""


@dataclass(frozen=True)
class Launch:
    """A command to start at login: program, subcommand arguments, extra environment."""

    program: tuple[str, ...]
    args: tuple[str, ...]
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def argv(self) -> tuple[str, ...]:
        return (*self.program, *self.args)


@dataclass(frozen=True)
class FileSpec:
    """One file an install writes and an uninstall removes."""

    path: Path
    content: str


class State(enum.Enum):
    """How much of an autostart registration is in place."""

    INSTALLED = "installed"
    NOT_INSTALLED = "not installed"
    PARTIAL = "partly installed"
    OUTDATED = "installed for another setup (run install again)"


@dataclass(frozen=True)
class Status:
    """Whether autostart is in place, with what the OS tools said about it."""

    state: State
    notes: tuple[str, ...] = ()

    @property
    def installed(self) -> bool:
        return self.state is State.INSTALLED


@dataclass(frozen=True)
class Outcome:
    """What an install or uninstall changed, and what the user may still have to do."""

    actions: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToolResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def template_path(name: str) -> Path:
    """Where the installer template `name` lives (see daemon.assets)."""
    return shipped_path("installers/templates", "templates", name)


def read_template(name: str) -> str:
    """The text of the installer template `name`."""
    try:
        return template_path(name).read_text(encoding="utf-8")
    except OSError:
        raise AutostartError(
            f"the autostart template {name} is missing; reinstall Sottovoce"
        ) from None


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill `${name}` placeholders; a line whose placeholders are all empty is left out."""
    lines = []
    for line in template.splitlines(keepends=True):
        names = _PLACEHOLDER.findall(line)
        if names and not any(values[name] for name in names):
            continue
        lines.append(_PLACEHOLDER.sub(lambda match: values[match.group(1)], line))
    return "".join(lines)


def find_program(executable: str | os.PathLike[str], *, windows: bool) -> tuple[str, ...]:
    """The command that runs `sottovoce` from the Python environment of `executable`."""
    # absolute(), not resolve(): a virtual environment's python is a symlink out of it.
    python = Path(executable).absolute()
    if windows:
        # pythonw has no console window to flash up at every login.
        pythonw = python.with_name("pythonw.exe")
        return (str(pythonw if pythonw.is_file() else python), "-m", "daemon")
    script = python.with_name("sottovoce")
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    return (str(python), "-m", "daemon")


def pinned_environment(environ: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The variables among `names` that are set, as absolute paths, to pass on at login."""
    return {
        name: str(Path(environ[name]).expanduser().absolute())
        for name in names
        if environ.get(name)
    }


def check_printable(word: str) -> str:
    """Refuse control characters, which no launcher format can carry safely."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in word):
        raise AutostartError(f"cannot register a command containing control characters: {word!r}")
    return word


def write_files(files: Iterable[FileSpec], directories: Iterable[Path] = ()) -> list[str]:
    """Create `directories` (user-only) and write each file atomically; returns what was done."""
    actions = []
    try:
        for folder in directories:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for spec in files:
            _write_atomic(spec.path, spec.content)
            actions.append(f"wrote {spec.path}")
    except OSError as error:
        raise AutostartError(f"cannot write {error.filename}: {error.strerror or error}") from None
    return actions


def remove_files(paths: Iterable[Path]) -> list[str]:
    """Delete the files that exist; returns what was done."""
    actions = []
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise AutostartError(f"cannot remove {path}: {error.strerror or error}") from None
        actions.append(f"removed {path}")
    return actions


def files_state(files: Sequence[FileSpec]) -> State:
    """Compare the files on disk with what an install would write."""
    present = [spec for spec in files if spec.path.is_file()]
    if not present:
        return State.NOT_INSTALLED
    if len(present) < len(files):
        return State.PARTIAL
    try:
        same = all(spec.path.read_text(encoding="utf-8") == spec.content for spec in files)
    except (OSError, UnicodeDecodeError):
        same = False
    return State.INSTALLED if same else State.OUTDATED


def run_tool(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> ToolResult | None:
    """Run an OS tool and collect its output; None when it is not installed. Never raises."""
    path = environ.get("PATH", os.defpath) if environ is not None else None
    program = shutil.which(argv[0], path=path)
    if program is None:
        return None
    env = dict(environ) if environ is not None else None
    try:
        done = subprocess.run(
            [program, *argv[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.debug("%s failed: %s", argv, error)
        return ToolResult(-1, str(error))
    output = "\n".join(part.strip() for part in (done.stdout, done.stderr) if part.strip())
    log.debug("%s exited %d: %s", argv, done.returncode, output)
    return ToolResult(done.returncode, output)


def _write_atomic(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        # Launchers read these as the user and never need them secret; mkstemp made them 0600.
        temp.chmod(0o644)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
