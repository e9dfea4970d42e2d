"""The rewrite flow obeys the daemon's answer: `replace`, and `fidelity.summary` in the warning."""

from __future__ import annotations

from typing import Any

import pytest

from daemon.config import Settings
from hotkeys.context import FlowContext
from hotkeys.inject import InjectionResult
from hotkeys.rewrite import APPLIED_ANYWAY_TITLE, KEPT_TITLE, TERMINAL_TITLE, RewriteFlow

SUMMARY = "Rewrite changed clinical facts; changed: 500 mg → 300 mg"


class Recorder:
    """Stands in for the UI, the keyboard, the clipboard and the injector at once."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []
        self.typed: list[str] = []
        self.clipboard: list[str] = []

    def notify(self, title: str, message: str) -> None:
        self.notes.append((title, message))

    def set_state(self, state: str, detail: str = "") -> None:
        pass

    def send_chord(self, hotkey: object) -> None:
        pass

    def inject(self, text: str) -> InjectionResult:
        self.typed.append(text)
        return InjectionResult("type")

    def write_text(self, text: str, *, transient: bool = False) -> object:
        assert transient  # patient text is never offered to clipboard managers
        self.clipboard.append(text)
        return object()


def _flow(recorder: Recorder) -> RewriteFlow:
    fake: Any = recorder
    context = FlowContext(
        settings=Settings(),
        address=lambda: fake,
        ui=fake,
        session=fake,
        keyboard=fake,
        clipboard=fake,
        injector=fake,
        release_keyboard=lambda: None,
    )
    return RewriteFlow(context)


def _answer(ok: bool, replace: bool) -> dict[str, Any]:
    fidelity = {"ok": ok, "missing": [], "added": [], "summary": "" if ok else SUMMARY}
    return {"text": "metformin 300 mg", "fidelity": fidelity, "replace": replace}


async def test_the_original_stays_when_the_daemon_says_not_to_replace() -> None:
    recorder = Recorder()
    await _flow(recorder)._async_apply(_answer(False, False), "proofread", terminal=False)

    assert recorder.typed == [] and recorder.clipboard == []
    assert recorder.notes == [(KEPT_TITLE, SUMMARY + ". The original text was kept.")]


async def test_a_replacement_the_daemon_allows_despite_changes_is_made_and_said() -> None:
    recorder = Recorder()
    await _flow(recorder)._async_apply(_answer(False, True), "proofread", terminal=False)

    assert recorder.typed == ["metformin 300 mg"]
    assert recorder.notes == [(APPLIED_ANYWAY_TITLE, SUMMARY)]


@pytest.mark.parametrize("ok", [True, False])
async def test_a_terminal_gets_the_result_on_the_clipboard_never_typed(ok: bool) -> None:
    recorder = Recorder()
    await _flow(recorder)._async_apply(_answer(ok, True), "proofread", terminal=True)

    assert recorder.typed == []
    assert recorder.clipboard == ["metformin 300 mg"]
    assert recorder.notes[0][0] == TERMINAL_TITLE
