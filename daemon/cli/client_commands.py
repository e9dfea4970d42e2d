"""`sottovoce rewrite` and `sottovoce dictate`: clients of the running daemon."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from daemon.cli.common import paths_and_settings
from daemon.client import NOT_RECORDED, DaemonAddress, dictate, locate_daemon, request_json
from daemon.errors import SottovoceError
from daemon.speech.audio import SAMPLE_RATE, decode_audio, float_to_pcm16

CHUNK_S = 0.1


WARN_NOT_RECORDED = (
    "sottovoce: warning: this result is not in the history (the daemon could not store it; "
    "`sottovoce doctor` says why)"
)


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    rewrite = commands.add_parser("rewrite", help="rewrite text with the local LLM")
    rewrite.add_argument("text", nargs="?", help="the text (default: read standard input)")
    rewrite.add_argument("--preset", help="preset name (default: the configured default)")
    rewrite.add_argument("--instruction", help="a free instruction instead of a preset")
    rewrite.add_argument(
        "--force", action="store_true", help="exit 0 even when the fidelity check fails"
    )
    rewrite.set_defaults(handler=_rewrite)

    dictate_cmd = commands.add_parser(
        "dictate", help="stream an audio file through the dictation WebSocket"
    )
    dictate_cmd.add_argument("file", type=Path)
    dictate_cmd.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="pace relative to real time (0 = as fast as possible)",
    )
    dictate_cmd.add_argument("--language", help="language code, e.g. en")
    dictate_cmd.add_argument("--quiet", action="store_true", help="print only the final text")
    dictate_cmd.set_defaults(handler=_dictate)


def _address(args: argparse.Namespace) -> DaemonAddress:
    paths, settings = paths_and_settings(args)
    return locate_daemon(paths, settings)


def _rewrite(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else sys.stdin.read()
    body: dict[str, Any] = {"text": text}
    if args.instruction:
        body["instruction"] = args.instruction
    elif args.preset:
        body["preset"] = args.preset
    address = _address(args)

    async def run() -> dict[str, Any]:
        async with address.session() as session:
            return await request_json(session, address, "POST", "/v1/rewrite", body)

    result = asyncio.run(run())
    print(result["text"])
    for warning in result.get("warnings", []):  # Joint Commission "Do Not Use" notations
        print(f"sottovoce: warning: {warning['text']}: {warning['message']}", file=sys.stderr)
    if result.get("history") == NOT_RECORDED:
        print(WARN_NOT_RECORDED, file=sys.stderr)
    fidelity = result["fidelity"]
    if not fidelity["ok"]:
        print(
            "sottovoce: warning: the rewrite changed clinical facts: "
            f"missing {fidelity['missing']}, added {fidelity['added']}",
            file=sys.stderr,
        )
        return 0 if args.force else 3
    return 0


async def _chunks(pcm: bytes, speed: float) -> AsyncIterator[bytes]:
    size = int(CHUNK_S * SAMPLE_RATE) * 2
    started = time.monotonic()
    for index, position in enumerate(range(0, len(pcm), size)):
        if speed > 0:
            # Pace against the clock, not by sleeping a fixed time per chunk.
            due = started + index * CHUNK_S / speed
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        yield pcm[position : position + size]


def _dictate(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise SottovoceError(f"cannot read {args.file}: {error.strerror}") from None
    audio = decode_audio(data)
    pcm = float_to_pcm16(audio)
    address = _address(args)
    start: dict[str, Any] = {"language": args.language} if args.language else {}

    async def show(text: str) -> None:
        if not args.quiet:
            print(f"… {text}", file=sys.stderr, flush=True)

    def warn(recorded: str) -> None:
        if recorded == NOT_RECORDED:
            print(WARN_NOT_RECORDED, file=sys.stderr)

    async def run() -> str | None:
        async with address.session() as session:
            return await dictate(
                session, address, _chunks(pcm, args.speed), start, show, on_history=warn
            )

    print(asyncio.run(run()))
    return 0
