"""Benchmark plumbing: a private daemon to measure through, and timing helpers."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from daemon.errors import SottovoceError

# Written units as they are said, so "500mg" and "500 milligrams" are the same words.
UNITS = {"mg": "milligrams", "mcg": "micrograms", "ml": "milliliters", "kg": "kilograms"}


class BenchError(SottovoceError):
    """The benchmark could not run."""


@dataclass(frozen=True)
class BenchDaemon:
    """A daemon started for the benchmark alone."""

    base_url: str
    token: str
    home: Path
    pid: int

    def log(self) -> str:
        """What the daemon has logged so far."""
        return (self.home / "serve.log").read_text(encoding="utf-8", errors="replace")

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextmanager
def bench_daemon(
    config: str, user_models: Path, env: dict[str, str] | None = None
) -> Iterator[BenchDaemon]:
    """Start `sottovoce serve` in a throw-away home on a free port; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="sottovoce-bench-") as folder:
        home = Path(folder)
        (home / "config").mkdir(mode=0o700)
        (home / "config" / "config.toml").write_text(config, encoding="utf-8")
        if user_models.exists():  # models the user registered stay available
            shutil.copy(user_models, home / "config" / "models.toml")
        environ = {**os.environ, **(env or {}), "SOTTOVOCE_HOME": str(home)}
        if env is None or "DISPLAY" not in env:
            environ.pop("DISPLAY", None)  # no hotkey agent unless asked for
        log = (home / "serve.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "daemon", "serve", "--port", "0"],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            runtime = home / "state" / "daemon.json"
            wait(lambda: runtime.exists() or process.poll() is not None, 120)
            if process.poll() is not None:
                raise BenchError("the benchmark daemon did not start; see `sottovoce serve`")
            port = json.loads(runtime.read_text())["port"]
            token = (home / "config" / "token").read_text().strip()
            daemon = BenchDaemon(f"http://127.0.0.1:{port}", token, home, process.pid)
            yield daemon
        finally:
            process.terminate()
            process.wait(30)
            log.close()


def wait(condition: Callable[[], bool], timeout: float) -> None:
    """Poll until true or raise BenchError at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise BenchError("timed out waiting for the benchmark daemon")
        time.sleep(0.05)


def get_json(daemon: BenchDaemon, path: str) -> dict[str, object]:
    """GET a JSON document from the daemon."""
    request = urllib.request.Request(daemon.base_url + path, headers=daemon.headers)
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def median(values: list[float]) -> float:
    """Median rounded for printing."""
    return round(statistics.median(values), 4)


def ratio(numerator: float, denominator: float) -> float:
    """A rounded ratio; infinity when the denominator is zero."""
    return round(numerator / denominator, 3) if denominator else float("inf")


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's length, on the words `wer_words` gives."""
    ref, hyp = wer_words(reference), wer_words(hypothesis)
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, other in enumerate(hyp, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
            )
        previous = current
    return round(previous[-1] / len(ref), 3)


@cache
def _normaliser() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    normalise: Callable[[str], str] = EnglishTextNormalizer()
    return normalise


def wer_words(text: str) -> list[str]:
    """The words a WER counts: `text` through the English normaliser of the Whisper paper
    (its appendix C, as the PyPI package `whisper-normalizer` ships it: case, punctuation,
    contractions, British spellings, and numbers as digits, so "six weeks" and "6 weeks"
    are one thing, as they are to a reader), with written units as said ("500 mg" is
    "500 milligrams")."""
    return [UNITS.get(word, word) for word in _normaliser()(text).split()]
