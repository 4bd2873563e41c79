"""The relay and observer on their own: exact bytes, fail-closed enforcement, id matching."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from scanner.proxy.observe import REFUSED, Observer, Recorder
from scanner.proxy.relay import Relay

ECHO = [sys.executable, str(Path(__file__).resolve().parent / "servers" / "echo.py")]


def _observer(record: Recorder = lambda subject, findings: None) -> Observer:
    return Observer(
        agent="a",
        component=None,
        pins=None,
        record=record,
        pact=frozenset({"read"}),
        clock=lambda: "2026-01-01T00:00:00+00:00",
    )


def _relay(data: bytes, *, enforce: bool) -> tuple[bytes, Observer]:
    """Run the relay in a thread between two pipes and the echo server; what the client got."""
    client_in_r, client_in_w = os.pipe()
    client_out_r, client_out_w = os.pipe()
    observer = _observer()
    relay = Relay(observer, enforce=enforce, stdin_fd=client_in_r, stdout_fd=client_out_w)
    thread = threading.Thread(target=relay.run, args=(ECHO,))
    thread.start()
    os.write(client_in_w, data)
    os.close(client_in_w)
    thread.join(timeout=60)
    os.close(client_out_w)
    with os.fdopen(client_out_r, "rb") as fh:
        got = fh.read()
    os.close(client_in_r)
    return got, observer


def test_every_byte_is_forwarded_unchanged() -> None:
    data = b'{"jsonrpc":"2.0","id":1,"method":"ping"}\nnot json \xff\x00\n{"partial": '
    got, observer = _relay(data, enforce=False)
    assert got == data  # the echo server sent back exactly what the client wrote
    assert observer.session.messages == 6  # three lines each way (the partial one at the end)
    assert observer.session.unparsed == 4


def test_enforce_refuses_an_escaped_call_to_an_unlisted_tool() -> None:
    # "tools\/call" is the same JSON string as "tools/call": escaping cannot slip past.
    call = b'{"jsonrpc":"2.0","id":7,"method":"tools\\/call","params":{"name":"x"}}\n'
    ping = b'{"jsonrpc":"2.0","id":8,"method":"ping"}\n'
    got, observer = _relay(call + ping, enforce=True)
    lines = got.splitlines()
    refusal = json.loads(lines[0])
    assert refusal["id"] == 7 and refusal["error"]["code"] == REFUSED
    assert "has not listed this tool" in refusal["error"]["message"]
    assert lines[1:] == [ping.strip()]  # the ping went through (echoed); the call did not
    assert observer.session.refused == 1


def test_responses_match_requests_by_exact_id() -> None:
    observer = _observer()
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    observer.feed_line(True, json.dumps(init).encode())
    info = {"serverInfo": {"name": "s", "version": "1"}}
    observer.feed_line(False, json.dumps({"jsonrpc": "2.0", "id": "1", "result": info}).encode())
    assert observer.session.server is None  # "1" is not 1
    observer.feed_line(False, json.dumps({"jsonrpc": "2.0", "id": 1, "result": info}).encode())
    assert observer.session.server is not None and observer.session.server.name == "s"


def test_a_server_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-server"
    result = CliRunner().invoke(main, ["proxy", "--agent", "a", "--no-record", "--", str(missing)])
    assert result.exit_code == 3
    assert "cannot start the server" in result.output and "no-such-server" in result.output


def test_a_paginated_tool_list_is_pinned_whole() -> None:
    pinned: list[str] = []
    observer = _observer(lambda subject, findings: pinned.append(subject))
    pages = [
        (None, [{"name": "read_file"}], "c1"),
        ("c1", [{"name": "list_dir"}], None),
    ]
    for i, (cursor, tools, next_cursor) in enumerate(pages, start=10):
        params = {"cursor": cursor} if cursor else {}
        request = {"jsonrpc": "2.0", "id": i, "method": "tools/list", "params": params}
        observer.feed_line(True, json.dumps(request).encode())
        result = {"tools": tools, **({"nextCursor": next_cursor} if next_cursor else {})}
        observer.feed_line(
            False, json.dumps({"jsonrpc": "2.0", "id": i, "result": result}).encode()
        )
    assert pinned == ["pkg:generic/unnamed-mcp-server"]  # once, for the whole list
    assert set(observer.actions) == {"read_file", "list_dir"}
