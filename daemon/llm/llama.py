"""llama-cpp-python's Llama, with a generation that stops between tokens when asked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator
from typing import Any

from llama_cpp import Llama

log = logging.getLogger(__name__)


class CancellableLlama(Llama):
    """Setting `cancel` (from any thread) ends the running generation after its current
    token, streamed or not: the completion then ends as if it had reached its length."""

    cancel: threading.Event | None = None

    def generate(self, *args: Any, **kwargs: Any) -> Generator[int, Any, None]:  # type: ignore[override]
        for produced, token in enumerate(super().generate(*args, **kwargs)):
            if self.cancel is not None and self.cancel.is_set():
                log.info("generation cancelled after %d tokens: the client left", produced)
                return
            yield token
