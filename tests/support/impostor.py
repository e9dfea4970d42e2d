"""A program that is not Sottovoce but listens where it would, and records every byte it receives.

Run as `python impostor.py MODE (--port N | --unix PATH) [--relay URL]`.
It prints "LISTENING <port or path>" once it accepts connections, and on SIGTERM
prints "RECEIVED <base64 of every byte received>" and exits. It answers:

- GET /v1/health with a plausible health report;
- GET /v1/identity according to MODE: "wrong" (a made-up proof), "missing" (404,
  like a server without the route), "relay" (the answer of the real daemon at
  --relay, asked with the client's nonce);
- anything else with 200 and a rewrite-shaped success, and a WebSocket upgrade
  with 101: a client that got this far would think it talked to its daemon.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import signal
import urllib.request

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC11B77"
HEALTH = {
    "status": "ok",
    "version": "0.1.0",
    "models": {
        "speech": {"name": "whisper-base", "state": "loaded", "busy": False},
        "llm": {"name": "smollm2-135m", "state": "loaded", "busy": False},
    },
    "device": "cpu",
    "outbound_guard": True,
}
FAKE_REWRITE = {"text": "Thank you.", "fidelity": {"ok": True, "missing": [], "added": []}}

received = bytearray()


class Impostor:
    def __init__(self, mode: str, relay: str) -> None:
        self.mode = mode
        self.relay = relay

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                received.extend(head)
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                length = int(headers.get("content-length", "0"))
                if length:
                    received.extend(await reader.readexactly(length))
                if headers.get("upgrade", "").lower() == "websocket":
                    await self._upgrade(reader, writer, headers)
                    return
                status, body = await self._answer(method, target)
                writer.write(_response(status, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, target: str) -> tuple[int, object]:
        path, _, query = target.partition("?")
        if method == "GET" and path == "/v1/health":
            return 200, HEALTH
        if path == "/v1/identity":
            if self.mode == "missing":
                return 404, {
                    "error": {
                        "message": "no such endpoint",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                }
            if self.mode == "relay":
                return 200, await asyncio.to_thread(self._relayed, query)
            return 200, {"proof": "0" * 64, "endpoint": "127.0.0.1:8765"}
        return 200, FAKE_REWRITE

    def _relayed(self, query: str) -> object:
        # The Host header is the real daemon's: its Host check cannot tell.
        with urllib.request.urlopen(f"{self.relay}/v1/identity?{query}", timeout=10) as response:
            return json.loads(response.read())

    async def _upgrade(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: dict[str, str]
    ) -> None:
        accept = base64.b64encode(
            hashlib.sha1(headers.get("sec-websocket-key", "").encode() + WS_GUID).digest()
        )
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        await writer.drain()
        while chunk := await reader.read(65536):
            received.extend(chunk)


def _response(status: int, body: object) -> bytes:
    data = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found"}[status]
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode() + data


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["wrong", "missing", "relay"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--unix", default="")
    parser.add_argument("--relay", default="")
    args = parser.parse_args()
    impostor = Impostor(args.mode, args.relay)
    if args.unix:
        server = await asyncio.start_unix_server(impostor.serve, args.unix)
        where = args.unix
    else:
        server = await asyncio.start_server(impostor.serve, "127.0.0.1", args.port)
        where = str(server.sockets[0].getsockname()[1])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("LISTENING", where, flush=True)
    async with server:
        await stop.wait()
    print("RECEIVED", base64.b64encode(bytes(received)).decode(), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
