"""The MCP SDK integration against a real SDK server over stdio, driven by a real ClientSession."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

mcp = pytest.importorskip("mcp")
from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

from scanner.runtime.hook import Hook  # noqa: E402
from scanner.runtime.hook_spool import SpoolSink, spool_lines  # noqa: E402
from scanner.runtime.mcp_sdk import action_class, input_provenance, instrument  # noqa: E402

SERVER = Path(__file__).with_name("mcp_server.py")
SECRET_ARGUMENT = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PURL = "pkg:pypi/notes-fixture@3.1.4"
# The SDK's own error: MCPError in its 2.x line, McpError in its 1.x line.
SDK_ERROR: type[Exception] = getattr(mcp, "MCPError", None) or mcp.McpError


async def _session_run(hook: Hook, script: Any, errlog: Any, *, twice: bool = False) -> None:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as session:
            instrument(session, hook, component=PURL)
            if twice:
                instrument(session, hook, component=PURL)
            await session.initialize()
            await script(session)


def _events(tmp_path: Path, script: Any, **kw: Any) -> list[dict[str, Any]]:
    spool = tmp_path / "spool.db"
    hook = Hook(SpoolSink(spool), agent="notes-agent", at_exit=False)
    with open(os.devnull, "w") as errlog:  # the server logs the failing tool's traceback
        asyncio.run(_session_run(hook, script, errlog, **kw))
    stats = hook.close()
    assert stats.dropped == 0 and stats.invalid == 0
    return [json.loads(line) for line in spool_lines(spool)]


async def _everything(session: ClientSession) -> None:
    await session.list_tools()
    with input_provenance("external_email"):
        await session.call_tool("search", {"query": SECRET_ARGUMENT, "limit": 2})
    await session.call_tool("delete_note", {"note_id": "n-1"})
    await session.call_tool("broken", {})
    await session.call_tool("grow", {})
    await session.list_tools()


def test_one_line_reports_server_tools_calls_and_changes(tmp_path, event_validator):
    events = _events(tmp_path, _everything)
    for event in events:
        event_validator.validate(event)
    kinds = [e["kind"] for e in events]
    assert kinds[:2] == ["server_info", "tools_list"]
    assert kinds.count("tool_call") == 4 and kinds.count("tools_list") == 2
    assert "tools_changed" in kinds
    info = events[0]
    assert info["server"] == {"name": "notes-fixture", "version": "3.1.4"}
    assert info["component"] == PURL and info["protocol_version"]
    assert {e["session"] for e in events} == {info["session"]}
    assert all(e["server"] == info["server"] for e in events)

    listed = {t["name"]: t["action_class"] for t in events[1]["tools"]}
    assert listed == {
        "search": "read",
        "delete_note": "write_destructive",
        "broken": "unknown",
        "grow": "unknown",
        "crash": "unknown",
    }
    assert "fresh" in {t["name"] for t in events[-1]["tools"]}  # the list after the change

    calls = {e["tool"]: e for e in events if e["kind"] == "tool_call"}
    assert calls["search"]["outcome"] == "ok"
    assert calls["search"]["action_class"] == "read"
    assert calls["search"]["provenance"] == "external_email"
    assert calls["search"]["argument_shape"] == {"limit": "integer", "query": "string"}
    assert calls["delete_note"]["action_class"] == "write_destructive"
    assert "provenance" not in calls["delete_note"]  # the label covered only its block
    assert calls["broken"]["outcome"] == "error"
    assert all(c["duration_ms"] >= 0 for c in calls.values())


def test_argument_values_are_never_recorded(tmp_path):
    events = _events(tmp_path, _everything)
    text = "\n".join(json.dumps(e) for e in events)
    assert SECRET_ARGUMENT not in text and "n-1" not in text
    assert "ghp_" not in text


def test_a_call_that_raises_is_recorded_as_failed_and_still_raises(tmp_path):
    raised: list[BaseException] = []

    async def script(session: ClientSession) -> None:
        await session.list_tools()
        try:
            await session.call_tool("crash", {})
        except SDK_ERROR as exc:
            raised.append(exc)

    events = _events(tmp_path, script)
    assert raised, "the dead server's call must raise to the agent as before"
    (call,) = [e for e in events if e["kind"] == "tool_call"]
    assert (call["tool"], call["outcome"], call["action_class"]) == ("crash", "failed", "unknown")


@pytest.mark.skipif(
    not hasattr(ClientSession, "discover"), reason="server/discover is new in the SDK's 2.x line"
)
def test_the_modern_discover_handshake_reports_the_server_once(tmp_path):
    spool = tmp_path / "spool.db"
    hook = Hook(SpoolSink(spool), agent="notes-agent", at_exit=False)

    async def go() -> None:
        params = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
        with open(os.devnull, "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    instrument(session, hook)
                    await session.discover()  # bypasses send_request: seen through adopt()
                    await session.list_tools()  # its result carries the serverInfo stamp too

    asyncio.run(go())
    hook.close()
    events = [json.loads(line) for line in spool_lines(spool)]
    assert [e["kind"] for e in events] == ["server_info", "tools_list"]
    assert events[0]["server"] == {"name": "notes-fixture", "version": "3.1.4"}
    assert events[0]["protocol_version"] >= "2026"


def test_instrumenting_twice_reports_once(tmp_path):
    async def script(session: ClientSession) -> None:
        await session.call_tool("search", {"query": "q"})

    events = _events(tmp_path, script, twice=True)
    assert [e["kind"] for e in events].count("server_info") == 1
    assert [e["kind"] for e in events].count("tool_call") == 1


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        (None, "unknown"),
        ({}, "unknown"),
        ({"title": "only a title"}, "unknown"),
        ({"readOnlyHint": True}, "read"),
        ({"read_only_hint": True, "open_world_hint": False}, "read"),
        ({"readOnlyHint": True, "openWorldHint": True}, "network"),
        ({"readOnlyHint": False}, "write_destructive"),  # the spec's default: destructive
        ({"readOnlyHint": False, "destructiveHint": False}, "write"),
        ({"destructiveHint": True}, "write_destructive"),
        ({"readOnlyHint": "yes"}, "unknown"),  # not a boolean: not a claim
    ],
)
def test_action_class_from_annotations(annotations, expected):
    assert action_class(annotations) == expected


def test_a_changed_server_info_stamp_on_a_result_is_reported(tmp_path):
    """A server upgraded behind a live session shows in the stamp newer servers put on results."""
    from scanner.runtime.mcp_sdk import SERVER_INFO_META, _Observer

    spool = tmp_path / "spool.db"
    hook = Hook(SpoolSink(spool), agent="a", at_exit=False)
    observer = _Observer(hook, None)
    observer.identified(mcp.types.Implementation(name="notes", version="1.0"), "2025-11-25")
    same = {SERVER_INFO_META: {"name": "notes", "version": "1.0"}}
    newer = {SERVER_INFO_META: {"name": "notes", "version": "1.1"}}
    observer.result("tools/list", mcp.types.ListToolsResult(tools=[], _meta=same))
    observer.result("tools/list", mcp.types.ListToolsResult(tools=[], _meta=newer))
    hook.close()
    events = [json.loads(line) for line in spool_lines(spool)]
    assert [(e["kind"], e["server"]["version"]) for e in events] == [
        ("server_info", "1.0"),
        ("tools_list", "1.0"),
        ("server_info", "1.1"),
        ("tools_list", "1.1"),
    ]


@pytest.mark.parametrize(
    "annotations",
    [
        {},
        {"title": "t"},
        {"readOnlyHint": True},
        {"readOnlyHint": True, "openWorldHint": True},
        {"readOnlyHint": True, "openWorldHint": False},
        {"readOnlyHint": False},
        {"readOnlyHint": False, "destructiveHint": False},
        {"destructiveHint": True},
        {"openWorldHint": True},
        {"readOnlyHint": "yes"},
    ],
)
def test_the_stdlib_fallback_agrees_with_the_tools_classifier_on_annotations(annotations):
    """The hook cannot import scanner.tools (stdlib only): the two must not drift apart."""
    from scanner.tools.actions import action_class as tools_action_class

    # An empty name says nothing, so the tools classifier answers from the annotations alone.
    assert action_class(annotations) == tools_action_class("", annotations).value
