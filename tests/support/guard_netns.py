"""A private network namespace for tests that prove nothing leaves the machine.

It has only a loopback interface, and its own resolver files (bind-mounted in a private
mount namespace) that send every DNS query to a sink the test runs on 127.0.0.2, so a
query shows up there instead of on a real network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# program -> apt package (TEST_PACKAGES in installers/install.sh)
TOOLS = {"unshare": "util-linux", "mount": "mount", "ip": "iproute2", "strace": "strace"}
SINK_ADDRESS = "127.0.0.2"
ROOT = Path(__file__).resolve().parents[2]

_SETUP = (
    "ip link set lo up"
    ' && mount --bind "$1" /etc/resolv.conf'
    ' && mount --bind "$2" /etc/hosts'
    ' && mount --bind "$3" /etc/nsswitch.conf'
    ' && shift 3 && exec "$@"'
)


@dataclass(frozen=True)
class NetNamespace:
    """Runs commands in a fresh network and mount namespace, one per command."""

    resolver_files: tuple[Path, Path, Path]

    def run(
        self, argv: list[str], env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` from the repository root inside a new namespace."""
        unshare = ["unshare", "--net", "--mount"]
        if os.geteuid() != 0:
            unshare[1:1] = ["--user", "--map-root-user"]
        command = [*unshare, "sh", "-c", _SETUP, "sh", *map(str, self.resolver_files), *argv]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )


def _nsswitch() -> str:
    # Only files and DNS: nss-resolve, mdns or myhostname would answer from (or
    # forward to) outside the namespace.
    try:
        current = Path("/etc/nsswitch.conf").read_text()
    except FileNotFoundError:
        current = "passwd: files\ngroup: files\n"
    return re.sub(r"(?m)^hosts:.*\n?", "", current) + "hosts: files dns\n"


def net_namespace(folder: Path) -> NetNamespace:
    """A namespace whose resolver asks the sink; fails (never skips) when one cannot be made."""
    missing = [
        f"{tool} (apt package {pkg})" for tool, pkg in TOOLS.items() if not shutil.which(tool)
    ]
    if missing:
        pytest.fail("the outbound guard tests need: " + ", ".join(missing), pytrace=False)
    folder.mkdir(parents=True, exist_ok=True)
    resolv, hosts, nsswitch = folder / "resolv.conf", folder / "hosts", folder / "nsswitch.conf"
    resolv.write_text(f"nameserver {SINK_ADDRESS}\noptions timeout:2 attempts:1\n")
    # No ::1 line, as here and in many containers: glibc then asks DNS for an IPv6 localhost.
    hosts.write_text("127.0.0.1 localhost\n")
    nsswitch.write_text(_nsswitch())
    namespace = NetNamespace((resolv, hosts, nsswitch))
    probe = namespace.run([sys.executable, "-c", "print('ready')"], timeout=60)
    if probe.stdout.strip() != "ready":
        pytest.fail(f"cannot create a network namespace: {probe.stderr.strip()}", pytrace=False)
    return namespace
