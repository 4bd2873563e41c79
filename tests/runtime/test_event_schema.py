"""Every line the hook writes is an event the schema (and so the importer) accepts."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.runtime.hook_event import (
    KINDS,
    MAX_ARGS,
    MAX_TEXT,
    MAX_TOOLS,
    event_line,
    json_type,
)

texts = st.none() | st.text(max_size=300)
labels = st.none() | st.sampled_from(["external_email", "internal_db", "Bad Label", ""])
classes = st.none() | st.sampled_from(["read", "write", "exec", "unknown", "bogus"])
raws = st.tuples(
    st.floats(min_value=0, max_value=4_000_000_000, allow_nan=False),
    st.sampled_from(sorted(KINDS)),
    st.text(min_size=1, max_size=300),
    texts,
    texts,
    texts,
    texts,
    texts,
    classes,
    st.none() | st.sampled_from(["ok", "error", "failed", "cancelled", "weird"]),
    st.none() | st.floats(allow_nan=False, allow_infinity=False),
    labels,
    texts,
    st.none() | st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3)), max_size=520),
    st.none()
    | st.dictionaries(
        st.text(max_size=300), st.sampled_from(["string", "object", "x"]), max_size=80
    ),
)


@settings(max_examples=300, deadline=None)
@given(raws)
def test_whatever_the_caller_records_the_line_is_valid_or_left_out(event_validator, raw):
    line = event_line(raw, "0123456789abcdef", 3)
    if line is None:
        kind, tool, server, outcome = raw[1], raw[7], raw[4], raw[9]
        call_unknown = not tool or outcome not in {"ok", "error", "failed", "cancelled"}
        assert (kind == "tool_call" and call_unknown) or (kind == "server_info" and not server)
        return
    event = json.loads(line)
    event_validator.validate(event)
    assert len(event.get("tools", ())) <= MAX_TOOLS
    assert len(event.get("argument_shape", {})) <= MAX_ARGS
    assert all(len(v) <= MAX_TEXT for v in event.values() if isinstance(v, str))


def test_a_tool_call_carries_argument_types_never_values():
    shape = {k: json_type(v) for k, v in {"q": "secret", "n": 3, "x": 1.5, "o": {}}.items()}
    raw = (
        0.0,
        "tool_call",
        "a",
        None,
        None,
        None,
        None,
        "t",
        None,
        "ok",
        1.0,
        None,
        None,
        None,
        shape,
    )
    line = event_line(raw, "0123456789abcdef", 0)
    assert line is not None and "secret" not in line
    event = json.loads(line)
    assert event["argument_shape"] == {"n": "integer", "o": "object", "q": "string", "x": "number"}
    assert event["time"] == "1970-01-01T00:00:00.000000Z"
