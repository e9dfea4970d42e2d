"""GPU memory as nvidia-smi reports it, for the whole GPU and for one process."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

SMI_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class GpuMemory:
    """MiB used and available on the first GPU, and used by one process when it shows."""

    used_mib: int
    total_mib: int
    process_mib: int | None = None


def parse_gpu_line(text: str) -> tuple[int, int]:
    """Used and total MiB from `--query-gpu=memory.used,memory.total` (first GPU)."""
    used, total = text.strip().splitlines()[0].split(",")
    return int(used), int(total)


def parse_process_mib(text: str, pid: int) -> int | None:
    """MiB that `pid` holds, from `--query-compute-apps=pid,used_memory`, summed over GPUs."""
    found = [
        int(fields[1])
        for fields in (line.split(",") for line in text.strip().splitlines())
        if len(fields) == 2 and fields[0].strip() == str(pid)
    ]
    return sum(found) if found else None


def gpu_memory(pid: int | None) -> GpuMemory | None:
    """Ask nvidia-smi; None when it is missing or fails."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    options = ["--format=csv,noheader,nounits"]
    try:
        gpu = _run([smi, "--query-gpu=memory.used,memory.total", *options])
        used, total = parse_gpu_line(gpu)
        process = None
        if pid is not None:
            apps = _run([smi, "--query-compute-apps=pid,used_memory", *options])
            # In a container the pid namespace may differ: then only the total shows.
            process = parse_process_mib(apps, pid)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    return GpuMemory(used, total, process)


def _run(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=SMI_TIMEOUT_S, check=True)
    return done.stdout
