"""A daemon for the doctor to examine: models are not loaded, it only has to run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.daemon import RunningDaemon, start_daemon, write_config

LEAN_CONFIG = "[speech]\nload_at_start = false\n"


@pytest.fixture(scope="module")
def running_daemon(
    tmp_path_factory: pytest.TempPathFactory, no_os_keyring: None
) -> Iterator[RunningDaemon]:
    """One real `sottovoce serve` on loopback, without models loaded."""
    home = tmp_path_factory.mktemp("doctor-daemon")
    write_config(home, LEAN_CONFIG)
    daemon = start_daemon(home, wait_models=False)
    yield daemon
    code = daemon.stop()
    assert code == 0, f"daemon exited with {code}:\n{daemon.log()}"
