"""Warnings reach a real notification daemon (dunst) on a private D-Bus session bus."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from daemon.config import Settings
from daemon.rewrite.fidelity import check_fidelity
from daemon.rewrite.service import RewriteResult
from hotkeys.context import FlowContext
from hotkeys.notify import DesktopNotices
from hotkeys.notify_server import notification_server
from hotkeys.rewrite import KEPT_TITLE, RewriteFlow
from hotkeys.ui import LogUI
from tests.desktop.session_bus import Dunst, SessionBus
from tests.hotkeys.xapps import TkEditor, Xvfb
from tests.support.daemon import RunningDaemon, start_daemon, wait_for, write_config
from tests.support.pulse import PulseAudio

SEND_S = 30
GUARD_TITLE = "Rewrite not applied: it changed clinical facts"
GUARD_FACT = "500 mg → 300 mg"
SOURCE = "Continue metformin 500 mg twice daily."
UNFAITHFUL = "Continue metformin 300 mg twice daily."
CONFIG = """
[hotkeys]
audio_cues = false
microphone = "no-such-microphone"
[speech]
load_at_start = false
[llm]
load_at_start = false
"""


@pytest.fixture
def on_bus(bus: SessionBus, monkeypatch: pytest.MonkeyPatch) -> SessionBus:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    return bus


def test_the_guard_warning_reaches_the_notification_daemon_with_the_changed_fact(
    dunst: Dunst, on_bus: SessionBus
) -> None:
    # The guard's own report of a dose the model changed, as the agent words it.
    report = check_fidelity(SOURCE, UNFAITHFUL)
    assert not report.ok
    notices = DesktopNotices()
    try:
        tag = uuid.uuid4().hex[:8]
        sent = notices.notify(GUARD_TITLE, f"{report.summary()} ({tag}). The original was kept.")
        assert sent is not None and sent.result(SEND_S) is True
    finally:
        notices.close()
    shown = dunst.wait_for_notice(lambda n: tag in n["body"])
    assert shown is not None, dunst.shown()
    assert shown["summary"] == GUARD_TITLE
    assert GUARD_FACT in shown["body"]
    assert shown["app"] == "Sottovoce"


async def test_the_rewrite_flow_kept_original_warning_reaches_the_notification_daemon(
    dunst: Dunst, on_bus: SessionBus
) -> None:
    # The daemon's answer for a rewrite that changed a dose (its policy: keep the original),
    # through the agent's own rewrite flow and its UI, to dunst.
    answer = RewriteResult(
        UNFAITHFUL, "proofread", "smollm2", check_fidelity(SOURCE, UNFAITHFUL), 0.1, replace=False
    ).to_dict()
    notices = DesktopNotices()
    ui = LogUI(notices)
    unused: Any = None  # the kept-original path touches neither keyboard nor clipboard
    flow = RewriteFlow(
        FlowContext(Settings(), unused, ui, unused, unused, unused, unused, lambda: None)
    )
    before = len(dunst.shown())
    try:
        await flow._async_apply(answer, "proofread", terminal=False)
        shown = await asyncio.to_thread(
            dunst.wait_for_notice,
            lambda n: n["summary"] == KEPT_TITLE and dunst.shown().index(n) >= before,
        )
    finally:
        await asyncio.to_thread(notices.close)
    assert shown is not None, dunst.shown()
    assert GUARD_FACT in shown["body"]
    assert "original text was kept" in shown["body"]


def test_the_notification_server_is_named(dunst: Dunst, on_bus: SessionBus) -> None:
    server = notification_server()
    assert server is not None and server.startswith("dunst")


def test_without_a_notification_server_notices_go_to_the_log_without_their_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    empty = SessionBus(tmp_path)  # a bus on which nobody serves notifications
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", empty.address)
    notices = DesktopNotices()
    try:
        with caplog.at_level(logging.DEBUG):
            for _ in range(3):
                sent = notices.notify(GUARD_TITLE, GUARD_FACT)
                assert sent is not None and sent.result(SEND_S) is False
    finally:
        notices.close()
        empty.close()
    assert caplog.text.count("no desktop notification server answers") == 1
    assert "500 mg" not in caplog.text
    assert notification_server() is None


@pytest.fixture
def agent_daemon(
    tmp_path: Path, xvfb: Xvfb, pulse: PulseAudio, dunst: Dunst, bus: SessionBus
) -> Iterator[RunningDaemon]:
    """`sottovoce serve` with hotkeys in the X session, on the private bus, without a microphone."""
    home = tmp_path / "home"
    write_config(home, CONFIG)
    env = {"DISPLAY": xvfb.name, "DBUS_SESSION_BUS_ADDRESS": bus.address, **pulse.client_env}
    daemon = start_daemon(home, env=env, wait_models=False)
    wait_for(lambda: "hotkeys are ready" in daemon.log(), timeout=60)
    yield daemon
    assert daemon.stop() == 0, daemon.log()


@pytest.fixture
def editor(xvfb: Xvfb, tmp_path: Path) -> Iterator[TkEditor]:
    app = TkEditor(xvfb, tmp_path)
    yield app
    app.close()


def test_nothing_selected_and_no_microphone_are_shown_on_the_desktop(
    agent_daemon: RunningDaemon, xvfb: Xvfb, dunst: Dunst, editor: TkEditor
) -> None:
    before = len(dunst.shown())
    editor.reset("nothing is selected here", select=False, export=False)
    xvfb.run("xdotool", "key", "ctrl+alt+r")
    nothing = dunst.wait_for_notice(lambda n: n["summary"] == "Nothing selected")
    assert nothing is not None, (dunst.shown(), agent_daemon.log())
    assert "Select some text" in nothing["body"]

    xvfb.run("xdotool", "keydown", "ctrl+alt+space")
    try:
        microphone = dunst.wait_for_notice(lambda n: n["summary"] == "No microphone")
    finally:
        xvfb.run("xdotool", "keyup", "space", "ctrl", "alt")
    assert microphone is not None, (dunst.shown(), agent_daemon.log())
    assert "no-such-microphone" in microphone["body"]
    assert len(dunst.shown()) > before
    # No tray host on this display: the state changes above logged no traceback.
    assert "Traceback" not in agent_daemon.log()
