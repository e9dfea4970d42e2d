"""A second `serve` for the same user exits with a clear message; the first keeps serving."""

from __future__ import annotations

from tests.support.daemon import RunningDaemon, health, sottovoce


def test_second_serve_exits_clearly_and_first_keeps_serving(daemon: RunningDaemon) -> None:
    result = sottovoce("serve", "--port", "0", home=daemon.home, timeout=60)
    assert result.returncode == 1
    assert "already running" in result.stderr and str(daemon.process.pid) in result.stderr
    assert health(daemon)["status"] == "ok"
