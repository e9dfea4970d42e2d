"""Hotkey strings: pynput's syntax accepted, every mistake named."""

from __future__ import annotations

import pytest

from daemon.errors import SottovoceError
from hotkeys.parse import Hotkey, HotkeyError, parse_hotkey


@pytest.mark.parametrize(
    ("spec", "modifiers", "key"),
    [
        ("<ctrl>+<alt>+d", {"ctrl", "alt"}, "d"),
        ("<esc>", set(), "<esc>"),
        ("<f9>", set(), "<f9>"),
        ("<cmd>+<shift>+x", {"cmd", "shift"}, "x"),
        ("<ctrl>+D", {"ctrl"}, "d"),
        ("<CTRL>+<F12>", {"ctrl"}, "<f12>"),
        ("<ctrl_l>+<alt_r>+<space>", {"ctrl", "alt"}, "<space>"),
        ("<ctrl>++", {"ctrl"}, "+"),
        (" <ctrl> + <alt> + r ", {"ctrl", "alt"}, "r"),
        ("<alt_gr>+e", {"alt_gr"}, "e"),
        ("<ctrl>+<65>", {"ctrl"}, "<65>"),
    ],
)
def test_parses_pynput_syntax(spec: str, modifiers: set[str], key: str) -> None:
    assert parse_hotkey(spec) == Hotkey(frozenset(modifiers), key)


def test_order_of_modifiers_does_not_matter_and_str_is_canonical() -> None:
    a = parse_hotkey("<shift>+<ctrl>+x")
    b = parse_hotkey("<ctrl>+<shift>+x")
    assert a == b
    assert str(a) == "<ctrl>+<shift>+x"
    assert parse_hotkey(str(a)) == a


def test_key_name_distinguishes_special_keys_from_characters() -> None:
    assert parse_hotkey("<f9>").key_name == "f9"
    assert parse_hotkey("<ctrl>+v").key_name is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("<ctlr>+d", "unknown key '<ctlr>' in '<ctlr>+d'"),
        ("ctrl+d", "unknown key 'ctrl' in 'ctrl+d' (name special keys in angle brackets"),
        ("<ctrl>+<ctrl>+d", "'<ctrl>' appears twice in '<ctrl>+<ctrl>+d'"),
        ("<ctrl_l>+<ctrl_r>+d", "'<ctrl_r>' appears twice"),
        ("d+d", "'d' appears twice"),
        ("", "the hotkey is empty"),
        ("   ", "the hotkey is empty"),
        ("<ctrl>+<alt>", "'<ctrl>+<alt>' has only modifiers"),
        ("<ctrl>+a+b", "more than one non-modifier key: a, b"),
        ("<ctrl>+", "empty key in '<ctrl>+'"),
        ("<ctrl>+ +d", "empty key"),
        ("<>", "unknown key '<>'"),
    ],
)
def test_rejects_bad_hotkeys_naming_the_bad_part(spec: str, message: str) -> None:
    with pytest.raises(HotkeyError) as caught:
        parse_hotkey(spec)
    assert message in str(caught.value)


def test_hotkey_error_is_a_value_error_and_a_sottovoce_error() -> None:
    with pytest.raises(ValueError):
        parse_hotkey("<nope>")
    assert issubclass(HotkeyError, SottovoceError)


@pytest.mark.x11
@pytest.mark.usefixtures("display")
@pytest.mark.parametrize("spec", ["<ctrl>+<alt>+d", "<f9>", "<cmd>+<shift>+x", "<ctrl_l>+x"])
def test_pynput_accepts_every_parsed_hotkey(spec: str) -> None:
    from pynput import keyboard

    hotkey = parse_hotkey(spec)
    assert hotkey.pynput_keys() == keyboard.HotKey.parse(str(hotkey))
