"""A resolver that records every query it gets (run inside a sealed network namespace).

    python dns_sink.py ADDRESS IPV4 IPV6 LOG READY

Listens on ADDRESS:53 over UDP and TCP, appends one JSON line per query to LOG and
answers A queries with IPV4 and AAAA queries with IPV6 (addresses of the namespace where
nothing listens, so that what a program does next with the name shows in the capture
too). READY is created once both sockets are bound. Only the standard library: it runs as a script.
"""

from __future__ import annotations

import json
import socket
import socketserver
import struct
import sys
import threading
from pathlib import Path

TYPES = {1: "A", 2: "NS", 5: "CNAME", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV"}
_lock = threading.Lock()


def question(query: bytes) -> tuple[str, int, int]:
    """(name, type, offset after the question) of a DNS query."""
    labels, offset = [], 12
    while offset < len(query) and query[offset]:
        length = query[offset]
        labels.append(query[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    qtype = struct.unpack_from("!H", query, offset + 1)[0] if offset + 3 <= len(query) else 0
    return ".".join(labels) + ".", qtype, offset + 5


def answer(query: bytes, ipv4: str, ipv6: str) -> bytes:
    """The reply: `ipv4` for an A question, `ipv6` for AAAA, no record for any other."""
    _, qtype, end = question(query)
    ident, flags = struct.unpack_from("!HH", query)
    records = b""
    if qtype in (1, 28):
        data = socket.inet_pton(
            *((socket.AF_INET, ipv4) if qtype == 1 else (socket.AF_INET6, ipv6))
        )
        records = struct.pack("!HHHLH", 0xC00C, qtype, 1, 60, len(data)) + data
    # Response, recursion available, the query's opcode and RD bit kept.
    header = struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x7800), 1, 1 if records else 0, 0, 0)
    return header + query[12:end] + records


class Sink:
    def __init__(self, ipv4: str, ipv6: str, log: Path) -> None:
        self.ipv4, self.ipv6 = ipv4, ipv6
        self.log = log

    def record(self, transport: str, peer: tuple[str, int], query: bytes) -> bytes:
        name, qtype, _ = question(query)
        line = {"transport": transport, "peer": f"{peer[0]}:{peer[1]}", "name": name}
        line["type"] = TYPES.get(qtype, str(qtype))
        with _lock, self.log.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
        return answer(query, self.ipv4, self.ipv6)


def main(address: str, ipv4: str, ipv6: str, log: Path, ready: Path) -> None:
    sink = Sink(ipv4, ipv6, log)

    class Udp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            if len(data) >= 12:
                sock.sendto(sink.record("udp", self.client_address, data), self.client_address)

    class Tcp(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while len(prefix := self.rfile.read(2)) == 2:
                data = self.rfile.read(struct.unpack("!H", prefix)[0])
                reply = sink.record("tcp", self.client_address, data)
                self.wfile.write(struct.pack("!H", len(reply)) + reply)

    class UdpServer(socketserver.ThreadingUDPServer):
        daemon_threads = True

    class TcpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    for server in (UdpServer((address, 53), Udp), TcpServer((address, 53), Tcp)):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    log.touch()
    ready.touch()
    threading.Event().wait()  # until terminated


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]))
