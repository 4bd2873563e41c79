"""Reading captured tools/list results: every accepted shape, and clear errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.tools import ToolListError, load_tool_list, parse_tool_list, pin_surface, surface_key
from tests.tools.conftest import REAL

ADD = {"name": "add", "description": "Add."}


@pytest.mark.parametrize(
    "doc",
    [
        {"tools": [ADD]},
        [ADD],
        ADD,
        {"jsonrpc": "2.0", "id": 1, "result": {"tools": [ADD]}},
    ],
    ids=["object", "bare-list", "single-tool", "json-rpc"],
)
def test_shapes(doc: object):
    tools = parse_tool_list(json.dumps(doc), "f.json")
    assert [t.name for t in tools.tools] == ["add"]


def test_real_files_read(tmp_path: Path):
    counts = {p.name: len(load_tool_list(p).tools) for p in REAL}
    assert counts == {
        "cisco-mcp-scanner__readiness_bad_tool.json": 1,
        "cisco-mcp-scanner__readiness_good_tool.json": 1,
        "snyk-agent-scan__math_server_signature.json": 5,
        "snyk-agent-scan__weather_server_signature.json": 1,
    }


def test_bad_tools_are_skipped_with_reasons_and_the_rest_is_read():
    doc = {"tools": [ADD, 3, {"description": "no name"}, {"name": "add"}, {"name": "sub"}]}
    tools = parse_tool_list(json.dumps(doc), "f.json")
    assert [t.name for t in tools.tools] == ["add", "sub"]
    reasons = [s.reason for s in tools.skipped]
    assert reasons == [
        "not a JSON object (int)",
        'no "name" string',
        "duplicate tool name; the first definition is pinned",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "invalid JSON"),
        ('{"tools": {}}', '"tools" is not a list'),
        ('{"x": 1}', "not a tools/list result"),
        ('{"tools": [{"name": "a", "d": "x\\ud800"}]}', "unpaired surrogate"),
        ('{"tools": ' + "[" * 100_000 + "]" * 100_000 + "}", "invalid JSON"),
    ],
)
def test_errors_name_the_file(text: str, problem: str):
    with pytest.raises(ToolListError) as info:
        parse_tool_list(text, "captured.json")
    assert info.value.path == "captured.json"
    assert problem in info.value.problem


def test_unreadable_non_utf8_and_non_regular_files(tmp_path: Path):
    with pytest.raises(ToolListError, match="missing.json"):
        load_tool_list(tmp_path / "missing.json")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"tools": [{"name": "caf\xe9"}]}')
    with pytest.raises(ToolListError, match="not valid UTF-8"):
        load_tool_list(bad)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ToolListError, match="named pipe"):
        load_tool_list(fifo)  # refused at once, never blocks waiting for a writer


def test_a_tool_without_canonical_form_is_skipped_and_the_rest_pinned():
    text = '[{"name": "nan", "x": NaN}, {"name": "big", "x": 1e400}, {"name": "ok"}]'
    tools = parse_tool_list(text, "f.json")
    surface, skipped = pin_surface(tools, surface_key("pkg:npm/x@1"))
    assert [p.name for p in surface.pins] == ["ok"]
    assert [s.subject for s in skipped] == ["nan", "big"]
    assert all("canonical JSON" in s.reason for s in skipped)
