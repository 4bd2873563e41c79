"""Quoted spans and tool names are shown with every hidden character as an escape."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.report.text import is_hidden, reveal


@given(st.text())
def test_reveal_leaves_no_hidden_character(text: str):
    shown = reveal(text)
    assert not any(is_hidden(c) for c in shown)
    assert "\n" not in shown and "\x1b" not in shown


@given(st.text(), st.text())
def test_reveal_is_injective(a: str, b: str):
    # backslashes are doubled: a literal "\u200b" cannot pose as an escaped zero-width space
    if a != b:
        assert reveal(a) != reveal(b)


def test_examples():
    assert reveal("a\u200bb") == "a\\u200bb"
    assert reveal("a\\u200bb") == "a\\\\u200bb"
    assert reveal("tag\U000e0041") == "tag\\U000e0041"
    assert reveal("caf\u00e9 \u2014 \u5929") == "caf\u00e9 \u2014 \u5929"  # visible text stays
