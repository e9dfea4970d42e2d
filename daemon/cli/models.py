"""`sottovoce models list|add|remove`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from daemon.cli.common import paths_and_settings
from daemon.models.registry import ModelRegistry


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    models = commands.add_parser("models", help="list or register models")
    sub = models.add_subparsers(dest="models_command", required=True)
    sub.add_parser("list", help="installed speech and language models").set_defaults(handler=_list)
    add = sub.add_parser("add", help="register a CTranslate2 Whisper folder or a GGUF file")
    add.add_argument("path", type=Path)
    add.add_argument("--name", help="name to use (default: from the path)")
    add.set_defaults(handler=_add)
    remove = sub.add_parser("remove", help="forget a registered model (files stay)")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)


def _list(args: argparse.Namespace) -> int:
    paths, settings = paths_and_settings(args)
    defaults = {"speech": settings.speech.model, "llm": settings.llm.model}
    for info in sorted(ModelRegistry(paths).all(), key=lambda i: (i.kind, i.name)):
        mark = "*" if defaults[info.kind] == info.name else " "
        print(f"{mark} {info.kind:<6} {info.name:<28} {info.source:<8} {info.path}")
    return 0


def _add(args: argparse.Namespace) -> int:
    paths, _ = paths_and_settings(args)
    info = ModelRegistry(paths).add(args.path, args.name)
    print(f"registered {info.kind} model {info.name!r} at {info.path}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    paths, _ = paths_and_settings(args)
    if not ModelRegistry(paths).remove(args.name):
        print(f"no registered model named {args.name!r}")
        return 1
    print(f"forgot model {args.name!r}")
    return 0
