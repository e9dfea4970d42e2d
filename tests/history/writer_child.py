"""Child process for the crash test: writes entries in a loop until it is killed.

After each commit it writes the entry's id on stdout in one small write, so the
parent knows exactly which entries were committed when the SIGKILL landed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from daemon.history import HistoryKey, HistoryStore, NewEntry

KEY_ENV = "HISTORY_TEST_KEY"
#: Several pages per entry, so that a kill often lands in the middle of a write.
FILLER = "words of a long dictated clinical note " * 400


def main() -> None:
    """Write forever; the parent kills this process."""
    key = HistoryKey.from_bytes(bytes.fromhex(os.environ[KEY_ENV]))
    store = HistoryStore.open(Path(sys.argv[1]), key)
    number = 0
    while True:
        number += 1
        entry_id = store.add(
            NewEntry(kind="dictation", output_text=f"entry {number} {FILLER}", audio_seconds=1.0)
        )
        os.write(sys.stdout.fileno(), f"{entry_id}\n".encode())


if __name__ == "__main__":
    main()
