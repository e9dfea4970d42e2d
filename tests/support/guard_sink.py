"""Inside a test network namespace: record every DNS query while probes run one by one.

    python -m tests.support.guard_sink PROBE_MODULE MODE PROBE [PROBE ...]

Each query is answered NXDOMAIN at once, so a resolver never waits for a timeout
and a probe's queries are recorded before it goes on. Prints JSON:
{probe: {"outcome": what the probe printed, "queries": ["name TYPE", ...]}}.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading

from tests.support.dns_sink import TYPES
from tests.support.dns_sink import question as dns_question

SINK = ("127.0.0.2", 53)
NXDOMAIN_FLAGS = b"\x81\x83"  # a response, recursion desired and available, NXDOMAIN


def question(query: bytes) -> str:
    """'name TYPE' of a DNS query's first question."""
    name, kind, _ = dns_question(query)
    return name.rstrip(".") + " " + TYPES.get(kind, str(kind))


def answer(server: socket.socket, queries: list[str]) -> None:
    """Record and refuse queries until the process ends."""
    while True:
        query, client = server.recvfrom(4096)
        queries.append(question(query))
        # One question echoed, no answers: the header's counts stay 1, 0, 0, 0.
        server.sendto(query[:2] + NXDOMAIN_FLAGS + query[4:6] + bytes(6) + query[12:], client)


def main() -> None:
    """Run each probe in its own process and attribute the queries sent meanwhile."""
    module, mode, *probes = sys.argv[1:]
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(SINK)
    queries: list[str] = []
    threading.Thread(target=answer, args=(server, queries), daemon=True).start()
    results = {}
    for probe in probes:
        start = len(queries)
        run = subprocess.run(
            [sys.executable, "-m", module, probe, mode], capture_output=True, text=True, timeout=60
        )
        outcome = run.stdout.strip() or f"crashed: {run.stderr.strip()[-500:]}"
        results[probe] = {"outcome": outcome, "queries": queries[start:]}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
