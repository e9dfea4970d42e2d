#!/usr/bin/env bash
# Static checks, then the whole test suite. The tests start what they need
# themselves (Xvfb, PulseAudio with a virtual microphone) and stop it after.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SOTTOVOCE_VENV:-$ROOT/.venv}"
cd "$ROOT"
"$VENV/bin/ruff" check daemon hotkeys tests
"$VENV/bin/mypy"
exec "$VENV/bin/python" -m pytest "$@"
