"""Dependencies point one way: the daemon never imports the desktop agent (`hotkeys`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from daemon.desktop import load_desktop
from hotkeys.desktop import DESKTOP

DAEMON = Path(__file__).resolve().parents[2] / "daemon"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_daemon_module_imports_hotkeys() -> None:
    offenders = {
        str(path.relative_to(DAEMON.parent)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] == "hotkeys"
        )
        for path in DAEMON.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_daemon_entry_points_load_without_the_agent() -> None:
    code = (
        "import sys, daemon.cli, daemon.serve, daemon.cli.agent, daemon.doctor; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'hotkeys'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_agent_is_found_through_its_entry_point() -> None:
    assert load_desktop() is DESKTOP
