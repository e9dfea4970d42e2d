"""Where the daemon listens: 'localhost' is loopback whatever the resolver says, and a
configured loopback address other than 127.0.0.1 serves the daemon's own clients."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.support.daemon import daemon_env, sottovoce, start_daemon, write_config
from tests.support.speech import speak, words

NOT_LOOPBACK = "192.0.2.10"  # TEST-NET-1, made local inside the test's namespace
SENTENCE = "The patient denies chest pain."


def _listening(pid: int) -> set[str]:
    """The IPv4 addresses that process `pid` listens on, from its namespace's /proc view."""
    addresses = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A":  # LISTEN
            packed = bytes.fromhex(local.split(":")[0])[::-1]
            addresses.add(".".join(str(byte) for byte in packed))
    return addresses


def test_localhost_is_bound_as_loopback_even_when_hosts_says_otherwise(tmp_path: Path) -> None:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    home = tmp_path / "home"
    write_config(home, '[server]\nhost = "localhost"\n[speech]\nload_at_start = false\n')
    hosts = tmp_path / "hosts"
    hosts.write_text(f"{NOT_LOOPBACK} localhost\n")
    control = tmp_path / "resolved"
    script = (
        f"ip link set lo up && ip addr add {NOT_LOOPBACK}/32 dev lo"
        f" && mount --bind {hosts} /etc/hosts && getent ahostsv4 localhost > {control}"
        f" && exec {sys.executable} -m daemon serve --port 0"
    )
    runtime = home / "state" / "daemon.json"
    with (home / "serve.out").open("wb") as out:
        process = subprocess.Popen(
            ["unshare", "--net", "--mount", "sh", "-c", script],
            env=daemon_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not runtime.exists():
            if process.poll() is not None:
                pytest.skip(f"cannot make a namespace here: {(home / 'serve.out').read_text()}")
            assert time.monotonic() < deadline, (home / "serve.out").read_text()
            time.sleep(0.05)
        # The namespace really names a non-loopback address as localhost.
        assert control.read_text().split()[0] == NOT_LOOPBACK
        record = json.loads(runtime.read_text())
        assert record["host"] == "127.0.0.1"
        assert _listening(process.pid) == {"127.0.0.1"}
    finally:
        process.terminate()
        assert process.wait(30) == 0, (home / "serve.out").read_text()


@pytest.mark.allow_hosts(["127.0.0.1", "::1", "127.0.0.2"])
async def test_a_configured_127_0_0_2_serves_its_own_clients(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(home, '[server]\nhost = "127.0.0.2"\n[speech]\nmodel = "whisper-tiny.en"\n')
    daemon = start_daemon(home, wait_models=False)
    try:
        url = f"http://127.0.0.2:{daemon.port}/v1/models"
        async with aiohttp.ClientSession(headers=daemon.headers) as session:
            async with session.get(url) as response:
                assert response.status == 200, await response.text()
            # The Host check still refuses every other name.
            async with session.get(url, headers={"Host": f"evil.example:{daemon.port}"}) as bad:
                assert bad.status == 403
                assert (await bad.json())["error"]["code"] == "bad_host"
        dictated = sottovoce(
            "dictate",
            "--speed",
            "0",
            "--quiet",
            str(speak(SENTENCE, tmp_path / "s.wav")),
            home=home,
        )
        assert dictated.returncode == 0, dictated.stderr
        assert {"patient", "denies", "pain"} <= set(words(dictated.stdout))
    finally:
        assert daemon.stop() == 0
