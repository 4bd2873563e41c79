"""Reading events files: each line validated on its own, bad lines named, secrets never kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.events.model import BadLine, RuntimeEvent
from scanner.events.parse import MAX_LINE, event_from_line, read_events

TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


def event(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "schema": "chainwatch.event/1",
        "batch_id": "0123456789abcdef",
        "seq": 0,
        "time": "2026-03-01T10:00:00.5+01:00",
        "agent": "support-bot",
        "kind": "tool_call",
        "tool": "search",
        "outcome": "ok",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def write(path: Path, *lines: object) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_a_bad_line_is_named_and_skipped_the_rest_loads(tmp_path):
    path = write(
        tmp_path / "events.jsonl",
        event(seq=0),
        "{not json",
        event(seq=2, kind="tool_exploded"),
        "",
        event(seq=4, outcome=None),
        event(seq=5, kind="tools_changed", tool=None, outcome=None),
    )
    items = list(read_events(path))
    assert [i.seq for i in items if isinstance(i, RuntimeEvent)] == [0, 5]
    bad = [i for i in items if isinstance(i, BadLine)]
    assert [b.line for b in bad] == [2, 3, 5]
    assert bad[0].problem.startswith("not JSON")
    assert "$.kind" in bad[1].problem
    assert "'outcome' is a required property" in bad[2].problem


def test_time_is_normalised_to_utc():
    parsed = event_from_line(json.dumps(event()).encode())
    assert parsed.time == "2026-03-01T09:00:00.500000Z"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-03-01T09:00:00.500000Z", "2026-03-01T09:00:00.500000Z"),  # kept as it is
        ("2026-03-01T09:00:00Z", "2026-03-01T09:00:00.000000Z"),
        ("2026-03-01T09:00:00.500000+00:00", "2026-03-01T09:00:00.500000Z"),
        ("2026-03-01T23:30:00.000001-01:00", "2026-03-02T00:30:00.000001Z"),
    ],
)
def test_every_time_form_is_stored_as_utc_with_microseconds(given, stored):
    assert event_from_line(json.dumps(event(time=given)).encode()).time == stored


@pytest.mark.parametrize("bad", ["2026-02-30T09:00:00.500000Z", "2026-03-01T24:00:00.000000Z"])
def test_a_time_of_the_stored_form_that_does_not_exist_is_refused(bad):
    with pytest.raises(ValueError, match=r"\$\.time: not a valid time"):
        event_from_line(json.dumps(event(time=bad)).encode())


def test_argument_values_are_refused_and_never_quoted():
    line = json.dumps(event(arguments={"to": TOKEN})).encode()
    with pytest.raises(ValueError, match="'arguments' was unexpected") as caught:
        event_from_line(line)
    assert TOKEN not in str(caught.value)


def test_a_secret_in_any_text_is_redacted_before_it_is_kept():
    parsed = event_from_line(
        json.dumps(
            event(agent=f"bot --token {TOKEN}", tool=TOKEN, argument_shape={TOKEN: "string"})
        ).encode()
    )
    kept = repr(parsed)
    assert TOKEN not in kept
    assert parsed.agent == "bot --token ***" and parsed.tool == "ghp_***"


def test_an_overlong_value_is_refused_without_quoting_it():
    with pytest.raises(ValueError, match=r"\$\.tool: fails maxLength 256") as caught:
        event_from_line(json.dumps(event(tool=TOKEN + "x" * 300)).encode())
    assert TOKEN not in str(caught.value)


def test_an_overlong_line_is_skipped_without_reading_it_whole(tmp_path):
    path = tmp_path / "events.jsonl"
    with path.open("w") as out:
        out.write(json.dumps(event(seq=0)) + "\n")
        out.write("x" * (3 * MAX_LINE) + "\n")
        out.write(json.dumps(event(seq=2)) + "\n")
    items = list(read_events(path))
    assert [type(i).__name__ for i in items] == ["RuntimeEvent", "BadLine", "RuntimeEvent"]
    assert items[1] == BadLine(2, f"line longer than {MAX_LINE} bytes")


def test_not_utf8_is_a_bad_line(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xff\xfe{}\n" + json.dumps(event()).encode() + b"\n")
    items = list(read_events(path))
    assert items[0] == BadLine(1, "not UTF-8")
    assert isinstance(items[1], RuntimeEvent)


def test_a_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match="nope.jsonl: cannot read the events file"):
        list(read_events(tmp_path / "nope.jsonl"))


def test_a_hook_spool_reads_like_an_events_file(tmp_path):
    from scanner.runtime.hook import Hook
    from scanner.runtime.hook_spool import SpoolSink

    hook = Hook(SpoolSink(tmp_path / "spool.db"), agent="a", at_exit=False, clock=lambda: 0.0)
    for i in range(3):
        hook.record("tool_call", tool=f"t{i}", outcome="ok")
    hook.close()
    items = list(read_events(tmp_path / "spool.db"))
    assert [i.tool for i in items if isinstance(i, RuntimeEvent)] == ["t0", "t1", "t2"]


def test_a_broken_sqlite_file_names_the_file(tmp_path):
    path = tmp_path / "spool.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(InputError, match="spool.db: not a chainwatch hook spool"):
        list(read_events(path))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "not JSON (nested too deeply)"),
        (json.dumps(event(duration_ms=1)).replace("1}", "NaN}").encode(), "NaN is not a number"),
        (json.dumps(event(duration_ms=1)).replace("1}", "1e999}").encode(), "too large"),
    ],
)
def test_hostile_json_is_a_bad_line_not_a_crash(raw, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        event_from_line(raw)


def test_a_line_with_a_lone_surrogate_is_a_bad_line_and_the_rest_loads(tmp_path):
    path = write(
        tmp_path / "events.jsonl",
        event(seq=0),
        json.dumps(event(seq=1, tool="x")).replace('"x"', '"\\udc00"'),
        event(seq=2),
    )
    items = list(read_events(path))
    assert [i.seq for i in items if isinstance(i, RuntimeEvent)] == [0, 2]
    assert [
        (b.line, "unpaired surrogate" in b.problem) for b in items if isinstance(b, BadLine)
    ] == [(2, True)]
