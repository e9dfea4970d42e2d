"""The tray menu's controller: cached state for the menu, actions handed to the event loop.

It talks to the daemon through the API only, so the same menu works inside
`sottovoce serve` and in `sottovoce agent` beside a daemon started elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import aiohttp

from daemon.client import DaemonAddress, ImpostorError, request_json
from daemon.errors import SottovoceError
from hotkeys.agent import Agent
from hotkeys.monitor import DaemonStatus
from hotkeys.ui import AgentUI

log = logging.getLogger(__name__)

TERMINALS = ("x-terminal-emulator", "gnome-terminal", "konsole", "xfce4-terminal", "xterm")


class ApiController:
    """Implements hotkeys.tray.TrayController; every method returns at once."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        agent: Agent,
        address: Callable[[], DaemonAddress],
        ui: AgentUI,
        on_quit: Callable[[], None],
    ) -> None:
        self._loop = loop
        self._agent = agent
        self._address = address
        self._ui = ui
        self._on_quit = on_quit
        self._health: dict[str, Any] = {}
        self._models: dict[str, list[str]] = {"speech": [], "llm": []}
        self._defaults: dict[str, str] = {}
        self._presets: list[str] = []
        self._down = "daemon not running"  # the status line while health is unknown

    async def async_refresh(
        self, session: aiohttp.ClientSession, status: DaemonStatus | None
    ) -> None:
        """Update the cached menu state (on the loop): the health from the agent's monitor's
        latest poll, the models, defaults and presets from the API."""
        if status is None or status.health is None:
            self._health = {}
            self._down = (status.problem if status else "") or "daemon not running"
            return
        address = self._address()
        try:
            models = await request_json(session, address, "GET", "/v1/models")
            self._defaults = await request_json(session, address, "GET", "/v1/defaults")
            presets = await request_json(session, address, "GET", "/v1/rewrite/presets")
        except ImpostorError:
            self._health, self._down = {}, "not your daemon: another program holds its address"
            return
        except SottovoceError:
            self._health, self._down = {}, "daemon not running"
            return
        self._health = status.health
        self._models = {
            kind: [m["id"] for m in models["data"] if m["kind"] == kind]
            for kind in ("speech", "llm")
        }
        self._presets = [p["name"] for p in presets["data"]]

    # Queries, answered from the cache.
    def status_line(self) -> str:
        if not self._health:
            return self._down
        speech = self._health["models"]["speech"]
        llm = self._health["models"]["llm"]
        return f"{speech['name']} ({speech['state']}), {llm['name']} ({llm['state']}) on {self._health['device']}"

    def paused(self) -> bool:
        return self._agent.paused

    def speech_models(self) -> list[str]:
        return self._models["speech"]

    def llm_models(self) -> list[str]:
        return self._models["llm"]

    def current_speech_model(self) -> str:
        return self._defaults.get("speech_model", "")

    def current_llm_model(self) -> str:
        return self._defaults.get("llm_model", "")

    def presets(self) -> list[str]:
        return self._presets

    def default_preset(self) -> str:
        return self._agent.preset

    # Actions, handed to the loop.
    def set_paused(self, paused: bool) -> None:
        self._loop.call_soon_threadsafe(self._agent.set_paused, paused)

    def choose_speech_model(self, name: str) -> None:
        self._post_defaults({"speech_model": name})

    def choose_llm_model(self, name: str) -> None:
        self._post_defaults({"llm_model": name})

    def choose_preset(self, name: str) -> None:
        self._agent.preset = name
        self._post_defaults({"rewrite_preset": name})

    def _post_defaults(self, body: dict[str, str]) -> None:
        async def post() -> None:
            async with self._address().session() as session:
                try:
                    self._defaults = await request_json(
                        session, self._address(), "POST", "/v1/defaults", body
                    )
                except SottovoceError as error:
                    self._ui.notify("Could not change the default", str(error))

        asyncio.run_coroutine_threadsafe(post(), self._loop)

    def open_history(self) -> None:
        self._in_terminal(["history", "list"], "history")

    def privacy_report(self) -> None:
        self._in_terminal(["doctor"], "privacy report")

    def copy_token(self) -> None:
        self._loop.call_soon_threadsafe(self._agent.copy_to_clipboard, self._address().token)

    def quit(self) -> None:
        self._on_quit()

    def _in_terminal(self, args: list[str], what: str) -> None:
        # Shown in a terminal rather than written to a file: no plaintext copy on disk.
        terminal = next((t for t in TERMINALS if shutil.which(t)), None)
        command = [sys.executable, "-m", "daemon", *args]
        if terminal is None:
            self._ui.notify(f"Cannot open the {what}", "Run `sottovoce " + " ".join(args) + "`.")
            return
        shell = " ".join(command) + "; echo; read -p 'Press Enter to close' _"
        subprocess.Popen([terminal, "-e", "sh", "-c", shell], start_new_session=True)
