"""Idle models unload (their worker process exits, freeing its memory) and reload on the
next request."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import psutil

from tests.support.daemon import RunningDaemon, health, start_daemon, wait_for, write_config


def _chat(daemon: RunningDaemon) -> str:
    body = json.dumps({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}).encode()
    request = urllib.request.Request(
        daemon.base_url + "/v1/chat/completions",
        data=body,
        headers={**daemon.headers, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return str(json.loads(response.read())["choices"][0]["message"]["content"])


def _llm_state(daemon: RunningDaemon) -> str:
    return str(health(daemon)["models"]["llm"]["state"])  # type: ignore[index]


def test_llm_unloads_after_idle_timeout_and_reloads(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(home, "[speech]\nload_at_start = false\n[llm]\nidle_timeout = 2\n")
    daemon = start_daemon(home, wait_models=False)
    try:
        assert _llm_state(daemon) == "unloaded"
        _chat(daemon)
        llm = health(daemon)["models"]["llm"]  # type: ignore[index]
        assert llm["state"] == "loaded"
        assert llm["context_size"] == 4096
        worker = psutil.Process(llm["pid"])
        assert worker.ppid() == daemon.process.pid
        assert worker.memory_info().rss > 50 * 1024 * 1024  # the model lives there
        wait_for(lambda: _llm_state(daemon) == "unloaded", timeout=30)
        # All of the model's memory went with its process.
        worker.wait(timeout=10)
        assert not worker.is_running()
        _chat(daemon)
        reloaded = health(daemon)["models"]["llm"]  # type: ignore[index]
        assert reloaded["state"] == "loaded"
        assert reloaded["pid"] != llm["pid"]
    finally:
        assert daemon.stop() == 0


def test_never_unload_keeps_the_model(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(
        home, "[speech]\nload_at_start = false\n[llm]\nidle_timeout = -1\nload_at_start = true\n"
    )
    daemon = start_daemon(home, wait_models=False)
    try:
        wait_for(lambda: _llm_state(daemon) == "loaded", timeout=60)
        _chat(daemon)
        assert _llm_state(daemon) == "loaded"
    finally:
        assert daemon.stop() == 0
