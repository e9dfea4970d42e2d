"""A small process that keeps serving the user's clipboard after Sottovoce quits.

X11 has no clipboard of its own: content lives in the program that owns it.
Where no clipboard manager runs, the agent hands what it restored to this
helper, which serves it until another program takes the clipboard, then exits.
The content comes over a pipe (never a file) as JSON: target -> base64 bytes.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import select
import subprocess
import sys
from collections.abc import Mapping

from hotkeys.errors import ClipboardError

log = logging.getLogger(__name__)

CLIPBOARD = "CLIPBOARD"
READY = "serving"


def start_keeper(display: str | None, offer: Mapping[str, bytes], timeout: float = 10.0) -> bool:
    """Start a keeper serving `offer` on CLIPBOARD; True once it owns the clipboard."""
    env = dict(os.environ)
    if display is not None:
        env["DISPLAY"] = display
    payload = json.dumps({t: base64.b64encode(d).decode("ascii") for t, d in offer.items()})
    try:
        keeper = subprocess.Popen(
            [sys.executable, "-m", "hotkeys.x11.keeper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert keeper.stdin is not None and keeper.stdout is not None
        with keeper.stdout:
            with keeper.stdin:
                keeper.stdin.write(payload)
            keeper.wait(timeout)  # it forks the real keeper and exits: nothing left to reap
            ready, _, _ = select.select([keeper.stdout], [], [], timeout)
            answer = keeper.stdout.readline() if ready else ""
    except (OSError, subprocess.SubprocessError):
        log.warning("the clipboard keeper could not start; the clipboard empties as we quit")
        return False
    return answer.strip() == READY


def main() -> int:
    """Serve the offer read from stdin until another owner takes the clipboard."""
    from hotkeys.x11.owner import SelectionOwner

    offer = {t: base64.b64decode(d) for t, d in json.loads(sys.stdin.read()).items()}
    if os.fork():
        os._exit(0)  # the agent reaps this one; the child below lives on by itself
    os.setsid()  # no longer in the agent's session: its terminal's signals miss us
    try:
        owner = SelectionOwner(os.environ.get("DISPLAY"))
        generation = owner.own(CLIPBOARD, offer)
    except ClipboardError:
        return 1
    print(READY, flush=True)
    # Detach from the agent's pipes: it waits for our answer, not for our end.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    assert generation is not None
    owner.wait_lost(CLIPBOARD, generation, timeout=None)
    owner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
