"""Hotkey matching: which action a press or release starts or ends (no display needed)."""

from __future__ import annotations

import pytest

from hotkeys.bindings import Matcher, parse_bindings
from hotkeys.parse import HotkeyError, parse_hotkey


def matcher() -> Matcher:
    return Matcher(
        parse_bindings(
            {"push_to_talk": "<ctrl>+<alt>+<space>", "rewrite": "<ctrl>+<alt>+r", "cancel": "<esc>"}
        ),
        loose=frozenset({"cancel"}),
    )


def test_push_to_talk_starts_on_the_last_key_and_ends_on_any_release() -> None:
    keys = matcher()
    assert keys.press("ctrl") == []
    assert keys.press("alt") == []
    assert keys.press("<space>") == ["push_to_talk"]
    assert keys.press("<space>") == []  # auto-repeat does not fire again
    assert keys.release("ctrl") == ["push_to_talk"]
    assert keys.release("<space>") == []


def test_extra_modifiers_do_not_fire_a_strict_hotkey() -> None:
    keys = matcher()
    for key in ("ctrl", "alt", "shift"):
        keys.press(key)
    assert keys.press("r") == []


def test_loose_cancel_fires_while_push_to_talk_is_held() -> None:
    keys = matcher()
    for key in ("ctrl", "alt", "<space>"):
        keys.press(key)
    assert keys.press("<esc>") == ["cancel"]


def test_same_key_without_modifiers_is_just_typing() -> None:
    keys = matcher()
    assert keys.press("r") == []
    assert keys.press("<space>") == []


def test_clashing_bindings_are_refused() -> None:
    with pytest.raises(HotkeyError, match="rewrite and push_to_talk both use"):
        parse_bindings({"push_to_talk": "<ctrl>+<alt>+r", "rewrite": "<ctrl>+<alt>+r"})


def test_bad_binding_names_the_config_key() -> None:
    with pytest.raises(HotkeyError, match=r"hotkeys\.concise: unknown key '<ctlr>'"):
        parse_bindings({"preset:concise": "<ctlr>+c"})


def test_empty_binding_turns_the_action_off() -> None:
    assert "toggle_dictation" not in parse_bindings({"toggle_dictation": "", "rewrite": "<f9>"})
    assert parse_bindings({"rewrite": "<f9>"})["rewrite"] == parse_hotkey("<f9>")
