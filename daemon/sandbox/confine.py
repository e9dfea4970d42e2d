"""Kernel confinement of an engine worker, applied before any native model or media
library is imported: no network, no new programs, bounded memory.

Linux: an empty network namespace (directly as root, else inside a new user
namespace where unprivileged ones are allowed) and a seccomp filter through
libseccomp (pyseccomp: a ctypes binding of the system's libseccomp with the API of
libseccomp's own Python module, which is built only for the distribution's Python).
The filter refuses every socket but AF_UNIX (the worker's channel to the daemon is
inherited; CUDA's driver may talk to the MPS daemon over a Unix socket),
io_uring (its operations would bypass the filter), execve and joining other
namespaces. The result is verified, not assumed: the worker then tries to open
internet, packet and netlink sockets and to start a program, and reports what the
kernel said.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import socket
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
DENIED_SYSCALLS = ("execve", "execveat", "io_uring_setup", "setns", "ptrace", "process_vm_writev")
# Families a compromised worker could use to reach another machine or the host's network.
PROBED_FAMILIES = {
    "AF_INET": (socket.AF_INET, socket.SOCK_DGRAM),
    "AF_INET6": (socket.AF_INET6, socket.SOCK_DGRAM),
    "AF_PACKET": (getattr(socket, "AF_PACKET", 17), socket.SOCK_RAW),
    "AF_NETLINK": (getattr(socket, "AF_NETLINK", 16), socket.SOCK_RAW),
}
EXEC_REFUSED = 77
SECCOMP_AND_NAMESPACE = "kernel: seccomp + network namespace"


@dataclass
class Confinement:
    """What the kernel enforces on this worker, as verified in it."""

    seccomp: bool = False
    network_namespace: bool = False
    memory_limit_mb: int | None = None
    # Per probed socket family: "refused" or what happened instead.
    probes: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def egress(self) -> str:
        """How egress is prevented, in the words health and doctor use."""
        if self.seccomp and self.network_namespace:
            return SECCOMP_AND_NAMESPACE
        if self.seccomp:
            return "kernel: seccomp"
        if self.network_namespace:
            return "kernel: network namespace"
        return "Python guard only"

    def to_wire(self) -> dict[str, Any]:
        return {**asdict(self), "egress": self.egress}


def confine(memory_limit_mb: int) -> Confinement:
    """Confine this process as far as the platform allows (call while single-threaded)."""
    result = Confinement()
    if not sys.platform.startswith("linux"):
        result.reasons.append(
            f"no kernel sandbox on {sys.platform} yet: the engines run in a separate "
            "process under the Python guard"
        )
        return result
    libc = ctypes.CDLL(None, use_errno=True)
    # The worker must not outlive the daemon. The signal comes when the *thread* that
    # started it ends: workers are started from an engine pool's thread, which lives as
    # long as the daemon.
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
    result.memory_limit_mb = _limit_memory(memory_limit_mb)
    reason = _enter_network_namespace(libc)
    result.network_namespace = reason is None
    if reason:
        result.reasons.append(reason)
    reason = _install_seccomp()
    if reason:
        result.reasons.append(reason)
    result.probes = {**probe_sockets(), "execve": probe_exec()}
    result.seccomp = reason is None and all(v == "refused" for v in result.probes.values())
    return result


def _limit_memory(limit_mb: int) -> int | None:
    # RLIMIT_DATA counts the heap and private writable mappings (decoded audio, the
    # KV cache) but not a model file mapped read-only, nor the GPU's address reservations.
    if limit_mb <= 0:
        return None
    limit = limit_mb << 20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    return limit_mb


def _enter_network_namespace(libc: ctypes.CDLL) -> str | None:
    if libc.unshare(CLONE_NEWNET) == 0:
        return None
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        return (
            f"no network namespace: unshare refused ({errno.errorcode.get(code, code)}); "
            "unprivileged user namespaces are off on this machine"
        )
    # Keep our own identity inside the new user namespace. Best effort: unmapped, the
    # worker is "nobody" there and still reads what we may read (the kernel checks our
    # real identity), it only cannot create files, which it never needs to.
    with contextlib.suppress(OSError):
        for name, text in (
            ("setgroups", "deny"),
            ("uid_map", f"{uid} {uid} 1"),
            ("gid_map", f"{gid} {gid} 1"),
        ):
            with open(f"/proc/self/{name}", "w", encoding="ascii") as file:
                file.write(text)
    return None


def _install_seccomp() -> str | None:
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as error:
        return f"no seccomp: libseccomp could not be loaded ({type(error).__name__})"
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        deny = seccomp.ERRNO(errno.EPERM)
        for call in ("socket", "socketpair"):
            rules.add_rule(deny, call, seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for call in DENIED_SYSCALLS:
            rules.add_rule(deny, call)
        rules.load()
    except OSError as error:
        return f"no seccomp: the kernel refused the filter ({error.strerror or error})"
    return None


def probe_sockets() -> dict[str, str]:
    """Try to open each internet, packet and netlink socket: "refused" is the answer wanted."""
    results: dict[str, str] = {}
    for name, (family, kind) in PROBED_FAMILIES.items():
        try:
            socket.socket(family, kind).close()
        except PermissionError:
            results[name] = "refused"
        except OSError as error:
            results[name] = f"failed otherwise ({error.strerror})"
        else:
            results[name] = "opened"
    return results


def probe_exec() -> str:
    """Try to start a program, in a forked child: "refused" is the answer wanted."""
    child = os.fork()
    if child == 0:
        try:
            os.execv("/bin/true", ["true"])
        except PermissionError:
            os._exit(EXEC_REFUSED)
        os._exit(EXEC_REFUSED + 1)
    _, status = os.waitpid(child, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    if code == EXEC_REFUSED:
        return "refused"
    return "started a program" if code == 0 else "failed otherwise"
