"""The rewrite flow: the selected text to the daemon, the result in its place, or a warning.

Whether the result may replace the text is the daemon's decision (`replace` in
its answer, from its rewrite.replace_when_unfaithful), and what changed is its
`fidelity.summary`: the agent keeps no copy of either rule.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from daemon.client import request_json
from daemon.errors import SottovoceError
from daemon.protocol import SOURCE_APP_HEADER
from hotkeys.context import FlowContext
from hotkeys.selection import capture_selection, replace_selection
from hotkeys.shortcuts import is_terminal

log = logging.getLogger(__name__)

KEPT_TITLE = "Rewrite not applied: it changed clinical facts"
APPLIED_ANYWAY_TITLE = "Rewrite applied although it changed clinical facts"
TERMINAL_TITLE = "Rewrite copied to the clipboard"
TERMINAL_MESSAGE = (
    "A terminal cannot replace selected text, so nothing was changed there. "
    "The rewrite is on the clipboard: paste it where you want it."
)


class RewriteFlow:
    """Rewrite the selection with a preset, as the daemon allows."""

    def __init__(self, context: FlowContext) -> None:
        self._context = context
        self.active = False

    async def async_rewrite(self, preset: str) -> None:
        """Capture the selection, rewrite it, and replace it, copy it or warn."""
        context = self._context
        self.active = True
        try:
            app, excluded = await context.async_focused_app()
            if excluded:
                return
            context.ui.set_state("working", f"rewriting ({preset})")
            # The held hotkey's grab would swallow the copy shortcut we are about to send.
            await asyncio.to_thread(context.release_keyboard)
            text = await asyncio.to_thread(capture_selection, context.clipboard, context.keyboard)
            if not text:
                context.ui.notify(
                    "Nothing selected", "Select some text, then press the rewrite hotkey."
                )
                context.ui.set_state("idle")
                return
            headers = {SOURCE_APP_HEADER: app} if app else {}
            result = await request_json(
                context.session,
                context.address(),
                "POST",
                "/v1/rewrite",
                {"text": text, "preset": preset},
                headers,
            )
            context.history_notice(str(result.get("history")))
            await self._async_apply(result, preset, terminal=is_terminal(app))
            context.ui.set_state("idle")
        except SottovoceError as error:
            context.fail("Rewrite failed", str(error))
        finally:
            self.active = False

    async def _async_apply(self, result: dict[str, Any], preset: str, *, terminal: bool) -> None:
        context = self._context
        fidelity = result["fidelity"]
        summary = str(fidelity.get("summary", ""))
        if not result.get("replace", fidelity["ok"]):
            context.ui.notify(KEPT_TITLE, f"{summary}. The original text was kept.")
            log.info("rewrite (%s) kept the original: %s", preset, KEPT_TITLE)
            return
        rewritten = str(result["text"])
        if terminal:
            # Typing into a terminal goes to the program at the prompt, after the selection.
            await asyncio.to_thread(context.clipboard.write_text, rewritten, transient=True)
            context.ui.notify(TERMINAL_TITLE, TERMINAL_MESSAGE)
            log.info(
                "rewrite (%s) put on the clipboard: the focused terminal cannot replace", preset
            )
        else:
            done = await asyncio.to_thread(
                replace_selection, rewritten, context.injector, context.keyboard
            )
            log.info("rewrite (%s) replaced the selection (%s)", preset, done.method)
        if not fidelity["ok"]:
            context.ui.notify(APPLIED_ANYWAY_TITLE, summary)
