"""A TrayController that records what the menu asked of it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class FakeController:
    """Answers from fixed lists and records every call, from any thread."""

    speech: list[str] = field(default_factory=lambda: ["tiny.en", "base"])
    llm: list[str] = field(default_factory=lambda: ["SmolLM2-135M-Instruct"])
    preset_names: list[str] = field(default_factory=lambda: ["proofread", "concise", "soap"])
    speech_model: str = "tiny.en"
    llm_model: str = "SmolLM2-135M-Instruct"
    preset: str = "proofread"
    is_paused: bool = False
    calls: list[tuple[str, object]] = field(default_factory=list)
    quit_called: threading.Event = field(default_factory=threading.Event)

    def _record(self, name: str, argument: object = None) -> None:
        self.calls.append((name, argument))

    def status_line(self) -> str:
        return f"{self.speech_model} + {self.llm_model} on cpu"

    def paused(self) -> bool:
        return self.is_paused

    def set_paused(self, paused: bool) -> None:
        self._record("set_paused", paused)
        self.is_paused = paused

    def speech_models(self) -> list[str]:
        return list(self.speech)

    def llm_models(self) -> list[str]:
        return list(self.llm)

    def current_speech_model(self) -> str:
        return self.speech_model

    def current_llm_model(self) -> str:
        return self.llm_model

    def choose_speech_model(self, name: str) -> None:
        self._record("choose_speech_model", name)
        self.speech_model = name

    def choose_llm_model(self, name: str) -> None:
        self._record("choose_llm_model", name)
        self.llm_model = name

    def presets(self) -> list[str]:
        return list(self.preset_names)

    def default_preset(self) -> str:
        return self.preset

    def choose_preset(self, name: str) -> None:
        self._record("choose_preset", name)
        self.preset = name

    def open_history(self) -> None:
        self._record("open_history")

    def copy_token(self) -> None:
        self._record("copy_token")

    def privacy_report(self) -> None:
        self._record("privacy_report")

    def quit(self) -> None:
        self._record("quit")
        self.quit_called.set()
