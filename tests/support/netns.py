"""A sealed network namespace: nothing in it can reach another machine, and every packet a
program in it sends beyond loopback is captured.

Inside (its own network and mount namespaces, `unshare --net --mount`, as root): only `lo`,
every route leads to `lo`, a TEST-NET address on `lo` is the resolver named by a
bind-mounted /etc/resolv.conf, a sink there records every query, and tcpdump on `lo`
records every packet that is not loopback to loopback. Name lookups go to that resolver
only: /etc/hosts names nothing but localhost, nsswitch asks files then DNS, and the
sockets of the host's own resolving services (nscd, systemd-resolved), which as path-based
Unix sockets would reach past the namespace, are hidden. A packet sent "to the internet"
goes nowhere but is captured; a name lookup is recorded and answered with another local
address, where a connection is refused, so what a program does next shows in the capture
as well. Programs outside drive the ones inside through path-based Unix sockets, which
are not bound to a network namespace.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from tests.support.lifetime import StartedOnEnter, end_holder

# Documentation ranges (TEST-NET-1, 2001:db8::/32): never routed on any real network.
RESOLVER = "192.0.2.53"
LOCAL_V6 = "2001:db8::53"
REPLY_V4, REPLY_V6 = "192.0.2.80", "2001:db8::80"  # the resolver's answers; nothing listens
IPV6 = Path("/proc/sys/net/ipv6").is_dir()
# The positive control's destinations: one datagram to each proves the capture sees them.
PROBES = (("192.0.2.1", 9), ("2001:db8::1", 9)) if IPV6 else (("192.0.2.1", 9),)
TOOLS = ("unshare", "nsenter", "ip", "tcpdump")
# Everything but loopback to loopback: a daemon's own loopback traffic stays on the machine.
CAPTURE_FILTER = (
    "not (src net 127.0.0.0/8 and dst net 127.0.0.0/8) and not (src host ::1 and dst host ::1)"
)
READY_TIMEOUT = 20.0
HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"
# Where services that resolve names for their clients keep their sockets.
HIDDEN = ("/run/nscd", "/var/run/nscd", "/run/systemd/resolve")
_PROBE = re.compile("|".join(rf" > {re.escape(h)}\.{p}: UDP\b" for h, p in PROBES))
# The ICMP error that refuses a probe where its address is local (IPv6).
_PROBE_REFUSED = re.compile(
    "|".join(rf"\bICMP6?\b.* {re.escape(h)} udp port {p}\b" for h, p in PROBES)
)

# IPv4: packets for any address go out on lo (and are dropped there, captured).
# IPv6 must differ: Linux turns an IPv6 route through lo into a reject route, so a packet
# would never be sent, only a local ICMPv6 error (from ::1 to ::1 without another address,
# which the filter leaves out). Every IPv6 address is made local instead: the packet is
# sent on lo, captured, and refused at once.
_SETUP = """
set -eu
ip link set lo up
ip addr add {resolver}/32 dev lo
ip addr add {reply_v4}/32 dev lo
ip route add default dev lo
if [ {ipv6} = 1 ]; then
    ip addr add {local_v6}/128 dev lo nodad
    ip -6 route add local ::/0 dev lo table local
fi
{mounts}
echo ready
exec cat >/dev/null
"""


class NamespaceError(RuntimeError):
    """The sealed namespace could not be set up or checked."""


def namespace_problem() -> str | None:
    """Why a sealed namespace cannot be made here, or None when it can."""
    if not sys.platform.startswith("linux"):
        return "network namespaces exist only on Linux"
    if os.geteuid() != 0:
        return "a private network namespace and a packet capture need root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing {', '.join(missing)} (installers/install.sh --test installs them)"
    trial = subprocess.run(
        ["unshare", "--net", "--mount", "ip", "link", "set", "lo", "up"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if trial.returncode != 0:
        return f"unshare --net --mount failed here: {trial.stderr.strip()}"
    return None


class SealedNetwork(StartedOnEnter):
    """The namespace, its resolver sink and its packet capture, kept in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.capture_file = folder / "capture.pcap"
        self.queries_file = folder / "queries.jsonl"
        self.capture_log = folder / "tcpdump.log"
        self._holder: subprocess.Popen[bytes] | None = None
        self._capture: subprocess.Popen[bytes] | None = None
        self._helpers: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def _start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        script = _SETUP.format(
            resolver=RESOLVER,
            reply_v4=REPLY_V4,
            local_v6=LOCAL_V6,
            ipv6=int(IPV6),
            mounts="\n".join(self._mounts()),
        )
        # The holder keeps the namespace alive until its stdin closes (even if the test dies).
        self._holder = subprocess.Popen(
            ["unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert self._holder.stdout is not None
        if self._holder.stdout.readline().strip() != b"ready":
            self._holder.wait(READY_TIMEOUT)
            assert self._holder.stderr is not None
            error = self._holder.stderr.read().decode(errors="replace")
            raise NamespaceError(f"the namespace could not be set up: {error.strip()}")
        self._check_sealed()
        self._start_capture()
        self._start_resolver()

    def _mounts(self) -> list[str]:
        """Commands that give the namespace its own name service files."""
        files = {"resolv.conf": f"nameserver {RESOLVER}\n", "hosts": HOSTS}
        nsswitch = Path("/etc/nsswitch.conf")
        if nsswitch.exists():
            text = nsswitch.read_text(encoding="utf-8")
            files["nsswitch.conf"] = re.sub(r"(?m)^hosts:.*$", "hosts: files dns", text)
        commands = []
        for name, text in files.items():
            (self.folder / name).write_text(text, encoding="utf-8")
            commands.append(f"mount --bind {shlex.quote(str(self.folder / name))} /etc/{name}")
        for folder in sorted({Path(f).resolve() for f in HIDDEN if Path(f).is_dir()}):
            commands.append(f"mount -t tmpfs -o mode=0755 none {shlex.quote(str(folder))}")
        return commands

    @property
    def pid(self) -> int:
        assert self._holder is not None
        return self._holder.pid

    def command(self, *args: str) -> list[str]:
        """`args` as a command that runs inside the namespace (in this working directory)."""
        return ["nsenter", f"--target={self.pid}", "--net", "--mount", f"--wd={os.getcwd()}", *args]

    def popen(self, args: Sequence[str], log: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
        """Start a process inside the namespace, its output to `log`; stopped by close()."""
        out = log.open("wb")
        self._logs.append(out)
        process = subprocess.Popen(
            self.command(*args),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        self._helpers.append(process)
        return process

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*args), capture_output=True, text=True, timeout=30)

    def _check_sealed(self) -> None:
        links = self.run("ip", "-o", "link", "show").stdout.splitlines()
        if len(links) != 1 or ": lo:" not in links[0]:
            raise NamespaceError(f"the namespace has other links than lo: {links}")
        resolv_conf = self.run("cat", "/etc/resolv.conf").stdout
        if f"nameserver {RESOLVER}" not in resolv_conf:
            raise NamespaceError(f"/etc/resolv.conf inside is not ours: {resolv_conf!r}")

    def _start_capture(self) -> None:
        log = self.capture_log
        args = ["tcpdump", "-i", "lo", "-nn", "-U", "-Z", "root", "-w", str(self.capture_file)]
        self._capture = self.popen([*args, CAPTURE_FILTER], log)
        _wait(lambda: "listening on lo" in log.read_text(errors="replace"), "tcpdump", log)

    def _start_resolver(self) -> None:
        ready = self.folder / "resolver.ready"
        log = self.folder / "resolver.log"
        script = str(Path(__file__).with_name("dns_sink.py"))
        args = [sys.executable, script, RESOLVER, REPLY_V4, REPLY_V6]
        args += [str(self.queries_file), str(ready)]
        self.popen(args, log)
        _wait(ready.exists, "the resolver sink ready", log)

    def probe(self) -> None:
        """The positive control: one UDP datagram to each probe address from inside, and
        the wait until the capture has them all."""
        before = len(self.probes())
        code = (
            "import json, socket, sys\n"
            "for host, port in json.loads(sys.argv[1]):\n"
            "    family = socket.AF_INET6 if ':' in host else socket.AF_INET\n"
            "    socket.socket(family, socket.SOCK_DGRAM).sendto(b'probe', (host, port))\n"
        )
        result = self.run(sys.executable, "-c", code, json.dumps(PROBES))
        if result.returncode != 0:
            raise NamespaceError(f"the probe could not be sent: {result.stderr}")
        wanted = before + len(PROBES)
        _wait(lambda: len(self.probes()) >= wanted, "the capture of the probes", self.capture_log)

    def probes(self) -> list[str]:
        """The captured packets that are probes."""
        return [p for p in self.packets() if is_probe(p)]

    def leaks(self) -> list[str]:
        """The captured packets that are neither probes nor their refusals."""
        return [p for p in self.packets() if not is_probe(p) and not _PROBE_REFUSED.search(p)]

    def packets(self) -> list[str]:
        """One tcpdump summary line per captured packet, so far."""
        result = subprocess.run(
            ["tcpdump", "-nn", "-tt", "-r", str(self.capture_file)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return [line for line in result.stdout.splitlines() if line.strip()]

    def queries(self) -> list[dict[str, str]]:
        """Every query the resolver sink got, so far."""
        lines = self.queries_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def stop_capture(self) -> None:
        """Stop tcpdump so that the capture file is complete; a packet the kernel dropped
        before tcpdump saw it would make an empty capture prove nothing."""
        assert self._capture is not None
        self._capture.send_signal(signal.SIGINT)
        self._capture.wait(READY_TIMEOUT)
        stats = self.capture_log.read_text(errors="replace")
        dropped = re.search(r"(\d+) packets? dropped by kernel", stats)
        if dropped is None or int(dropped.group(1)) != 0:
            raise NamespaceError(f"the capture may have missed packets:\n{stats}")

    def members(self) -> list[int]:
        """Every process still inside the namespace, but the holder."""
        try:
            mine = os.readlink(f"/proc/{self.pid}/ns/net")
        except OSError:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != self.pid:
                with contextlib.suppress(OSError):
                    if os.readlink(entry / "ns" / "net") == mine:
                        found.append(int(entry.name))
        return found

    def close(self) -> None:
        """Stop every process in the namespace; the namespace goes with the last one."""
        for process in self._helpers:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self._helpers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if self._holder is not None:
            for pid in self.members():  # started in the namespace, escaped their group
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            end_holder(self._holder)
        for out in self._logs:
            out.close()


def is_probe(packet: str) -> bool:
    """Whether a tcpdump summary line is the positive control's datagram."""
    return _PROBE.search(packet) is not None


def _wait(condition: Any, what: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            output = log.read_text(errors="replace")
            raise NamespaceError(f"{what}: not within {READY_TIMEOUT:.0f} s\n{output}")
        time.sleep(0.05)
