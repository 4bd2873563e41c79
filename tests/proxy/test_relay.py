"""The relay and observer on their own: exact bytes, fail-closed enforcement, id matching."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from scanner.proxy.observe import REFUSED, Emitter, Observer, Recorder
from scanner.proxy.relay import Relay

ECHO = [sys.executable, str(Path(__file__).resolve().parent / "servers" / "echo.py")]


def _observer(
    record: Recorder = lambda subject, findings: None, emit: Emitter = lambda event: None
) -> Observer:
    return Observer(
        agent="a",
        emit=emit,
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


def test_a_request_is_parsed_before_the_response_the_server_sends_at_once(monkeypatch) -> None:
    # Fault injection: the write to the server returns late, as when the OS deschedules the
    # client thread right after it. The echo server has answered by then; a copy queued only
    # after the write would reach the parser after its own response and match nothing.
    import time

    import scanner.proxy.relay as relay_module

    real_write = relay_module._write_all

    def slow_server_write(fd: int, data: bytes) -> None:
        real_write(fd, data)
        if data.startswith(b'{"jsonrpc"') and b'"method"' in data:
            time.sleep(0.05)

    monkeypatch.setattr(relay_module, "_write_all", slow_server_write)
    seen: list[tuple[bool, bytes]] = []
    observer = _observer()
    feed = observer.feed_line

    def recording_feed(from_client: bool, line: bytes) -> None:
        seen.append((from_client, line))
        feed(from_client, line)

    monkeypatch.setattr(observer, "feed_line", recording_feed)
    client_in_r, client_in_w = os.pipe()
    client_out_r, client_out_w = os.pipe()
    relay = Relay(observer, enforce=False, stdin_fd=client_in_r, stdout_fd=client_out_w)
    thread = threading.Thread(target=relay.run, args=(ECHO,))
    thread.start()
    for i in range(5):
        os.write(client_in_w, b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i)
        time.sleep(0.1)  # one message at a time, each answered while its write is "late"
    os.close(client_in_w)
    thread.join(timeout=60)
    os.close(client_out_w)
    os.close(client_out_r)
    os.close(client_in_r)
    assert len(seen) == 10
    # The echo server returns each line as is: both copies are the same bytes, and the client's
    # copy of each message must reach the parser before the server's copy of it. (Under load
    # the next request may come before an answer: only each pair's order is the property.)
    for i in range(5):
        line = b'{"jsonrpc":"2.0","id":%d,"method":"ping"}' % i
        client_at = seen.index((True, line))
        server_at = seen.index((False, line))
        assert client_at < server_at, f"message {i}: response parsed before its request"


def test_a_server_request_with_the_clients_id_does_not_steal_the_clients_response() -> None:
    observer = _observer()

    def line(from_client: bool, **msg: object) -> None:
        observer.feed_line(from_client, json.dumps({"jsonrpc": "2.0", **msg}).encode())

    line(True, id=1, method="initialize", params={})
    # The server asks the client something with the same id before it answers (e.g. roots/list
    # or sampling), and the client answers that first.
    line(False, id=1, method="roots/list")
    line(True, id=1, result={"roots": []})
    line(False, id=1, result={"serverInfo": {"name": "s", "version": "1"}})
    assert observer.session.server is not None and observer.session.server.name == "s"


def test_list_changed_from_the_server_is_an_event_and_holds_calls_until_listed_again() -> None:
    events: list[dict[str, object]] = []
    observer = _observer(emit=events.append)

    def line(from_client: bool, **msg: object) -> None:
        observer.feed_line(from_client, json.dumps({"jsonrpc": "2.0", **msg}).encode())

    line(True, id=1, method="initialize", params={})
    line(False, id=1, result={"serverInfo": {"name": "s", "version": "2.0"}})
    tool = {"name": "read_file", "annotations": {"readOnlyHint": True}}
    line(True, id=2, method="tools/list")
    line(False, id=2, result={"tools": [tool]})
    assert observer.refusal("read_file") is None
    line(True, method="notifications/tools/list_changed")  # from the client: not the server's
    assert observer.session.list_changes == 0
    line(False, method="notifications/tools/list_changed")
    assert observer.session.list_changes == 1
    changed = events[-1]
    assert changed["kind"] == "tools_changed"
    assert changed["server"] == {"name": "s", "version": "2.0"}
    assert changed["component"] == "pkg:generic/s@2.0"
    assert "list_changed" in (observer.refusal("read_file") or "")
    line(True, id=3, method="tools/list")
    line(False, id=3, result={"tools": [tool]})
    assert observer.refusal("read_file") is None  # listed again, unchanged
