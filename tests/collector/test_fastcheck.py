"""The compiled schema check only vouches for events the jsonschema check also accepts."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.collector.fastcheck import event_check
from scanner.events.parse import _validator
from tests.collector.conftest import event

GOOD = event("batch-0001", 0, "agent-a")
VARIANTS = [
    GOOD,
    {**GOOD, "batch_id": "batch-0001\n"},  # Python's `$` matches before a final newline
    {**GOOD, "seq": -1},
    {**GOOD, "seq": True},
    {**GOOD, "kind": "tools_list"},  # then tools is required
    {**GOOD, "time": "2026-03-01T11:00:00"},
    {**GOOD, "extra": 1},
    {**GOOD, "argument_shape": {"a": "str"}},
    {**GOOD, "duration_ms": 1e300},
    {k: v for k, v in GOOD.items() if k != "tool"},
    {**GOOD, "tool": ""},
    {**GOOD, "tool": "x" * 257},
]


@pytest.mark.parametrize("value", VARIANTS)
def test_fast_check_agrees_with_jsonschema(value):
    slow = _validator().is_valid(value)
    fast = event_check()(value)
    assert not fast or slow  # never vouches for what the schema check refuses
    if value is GOOD:
        assert fast and slow


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(GOOD) + ["tools", "server", "junk"]),
        st.none() | st.booleans() | st.integers() | st.text(max_size=70) | st.floats(),
    )
)
def test_fast_check_never_vouches_for_what_jsonschema_refuses(changes):
    value = {**GOOD, **changes}
    if event_check()(value):
        assert jsonschema.Draft202012Validator(_validator().schema).is_valid(value)
