"""`sottovoce history list|search|show|delete|export|audit`, reading the encrypted store."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from daemon.cli.common import paths_and_settings
from daemon.errors import HistoryError
from daemon.history.models import Entry
from daemon.history.service import open_store
from daemon.history.store import HistoryStore

CLIENT = "cli"
# A new file, never through a symlink (O_EXCL refuses any existing name, links included).
EXPORT_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    history = commands.add_parser("history", help="read, search, export or delete history")
    sub = history.add_subparsers(dest="history_command", required=True)
    listing = sub.add_parser("list", help="newest entries first")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--before", type=int, help="entries older than this id")
    listing.set_defaults(handler=_list)
    search = sub.add_parser("search", help="full-text search of inputs and outputs")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(handler=_search)
    show = sub.add_parser("show", help="one entry in full")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_show)
    delete = sub.add_parser("delete", help="delete one entry, or all with --all --yes")
    delete.add_argument("id", type=int, nargs="?")
    delete.add_argument("--all", action="store_true", help="delete every entry")
    delete.add_argument("--yes", action="store_true", help="confirm --all")
    delete.set_defaults(handler=_delete)
    export = sub.add_parser("export", help="write every entry as JSON to a file you choose")
    export.add_argument("file", type=Path)
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    export.set_defaults(handler=_export)
    audit = sub.add_parser("audit", help="who read, searched, exported or deleted history")
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(handler=_audit)
    upstream = sub.add_parser(
        "upstream", help="requests sent to the practice's server in clinic mode (no content)"
    )
    upstream.add_argument("--limit", type=int, default=50)
    upstream.set_defaults(handler=_upstream)


@contextmanager
def _store(args: argparse.Namespace) -> Iterator[HistoryStore]:
    paths, settings = paths_and_settings(args)
    if not paths.history_db.exists():
        raise HistoryError("there is no history yet")
    store = open_store(settings.history, paths)
    try:
        yield store
    finally:
        store.close()


def _when(entry: Entry) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created_at))


def _print_lines(entries: list[Entry]) -> None:
    for entry in entries:
        text = " ".join(entry.output_text.split())
        print(f"{entry.id:>6}  {_when(entry)}  {entry.kind:<13} {text[:70]}")
    if not entries:
        print("no entries")


def _list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        _print_lines(store.list_entries(args.limit, args.before, client=CLIENT))
    return 0


def _search(args: argparse.Namespace) -> int:
    with _store(args) as store:
        _print_lines(store.search(args.query, args.limit, client=CLIENT))
    return 0


def _show(args: argparse.Namespace) -> int:
    with _store(args) as store:
        entry = store.get(args.id, client=CLIENT)
    if entry is None:
        print(f"no history entry {args.id}")
        return 1
    print(json.dumps(asdict(entry), indent=2, ensure_ascii=False))
    return 0


def _delete(args: argparse.Namespace) -> int:
    if args.all == (args.id is not None):
        raise HistoryError("give one entry id, or --all --yes")
    if args.all and not args.yes:
        raise HistoryError("deleting all history needs --yes as well")
    with _store(args) as store:
        if args.all:
            print(f"deleted {store.delete_all(client=CLIENT)} entries")
            return 0
        if not store.delete(args.id, client=CLIENT):
            print(f"no history entry {args.id}")
            return 1
    print(f"deleted entry {args.id}")
    return 0


def _export(args: argparse.Namespace) -> int:
    target: Path = args.file
    if os.path.lexists(target) and not args.force:
        raise HistoryError(f"{target} exists; add --force to replace it")
    with _store(args) as store:
        entries = store.export(client=CLIENT)
    # The export is plaintext by the user's choice: a new file only the user can read.
    # With --force it is written beside the target and renamed over it, so neither an
    # existing file's mode nor a planted symlink's target is ever used.
    written = target.with_name(f".{target.name}.{os.getpid()}.partial") if args.force else target
    try:
        descriptor = os.open(written, EXPORT_FLAGS, 0o600)
    except FileExistsError:
        raise HistoryError(f"{target} exists; add --force to replace it") from None
    except OSError as error:
        raise HistoryError(f"{target} cannot be created ({error.strerror})") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump([asdict(e) for e in entries], handle, indent=2, ensure_ascii=False)
        if written != target:
            os.replace(written, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(written)
        raise HistoryError(f"{target} cannot be written ({error.strerror})") from None
    print(f"exported {len(entries)} entries to {target}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    with _store(args) as store:
        records = store.audit_log(args.limit)
    for record in records:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created_at))
        target = f"entry {record.entry_id}" if record.entry_id else ""
        count = f"{record.count} entries" if record.count is not None else ""
        print(f"{when}  {record.action:<10} {record.client:<10} {target} {count}".rstrip())
    if not records:
        print("no history access recorded")
    return 0


def _upstream(args: argparse.Namespace) -> int:
    with _store(args) as store:
        records = store.upstream_log(args.limit)
    for record in records:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created_at))
        status = record.status if record.status is not None else "-"
        print(
            f"{when}  {record.engine:<6} {record.model:<24} {record.endpoint:<22} "
            f"{record.outcome:<12} {status}  sent {record.bytes_sent} B  "
            f"received {record.bytes_received} B"
        )
    if not records:
        print("no upstream request recorded")
    return 0
