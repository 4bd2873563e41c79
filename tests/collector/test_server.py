"""A real uvicorn collector on 127.0.0.1, fed by the real hook's HTTP sink."""

from __future__ import annotations

import pytest

from scanner.runtime.hook import Hook
from scanner.runtime.hook_http import HttpSink
from scanner.runtime.hook_sink import SinkError
from scanner.store import open_store


def test_the_hook_delivers_to_a_real_collector(live):
    url, db, tokens = live
    hook = Hook(
        HttpSink(f"{url}/v1/events", token=tokens["agent-a"]),
        agent="agent-a",
        batch_size=100,
        flush_interval=0.01,
        at_exit=False,
    )
    for i in range(250):
        hook.record("tool_call", tool=f"tool-{i % 5}", outcome="ok", argument_shape={"q": "string"})
    stats = hook.close()
    assert stats.dropped == 0
    with open_store(db) as store:
        events = store.runtime_events(agent="agent-a", limit=1_000)
    assert len(events) == 250
    assert len({e.batch_id for e in events}) == 3  # 100 + 100 + 50
    assert {e.argument_shape for e in events} == {(("q", "string"),)}


def test_the_hook_with_another_agents_token_is_refused(live):
    url, db, tokens = live
    sink = HttpSink(f"{url}/v1/events", token=tokens["agent-b"])
    hook = Hook(sink, agent="agent-a", batch_size=10, flush_interval=0.01, at_exit=False)
    hook.record("tool_call", tool="t", outcome="ok")
    stats = hook.close()
    assert stats.dropped == 1  # 403 is not retried: the batch is dropped and counted
    with open_store(db) as store:
        assert store.runtime_events() == []


def test_no_token_over_http_is_401(live):
    url, _, _ = live
    from scanner.runtime.hook_event import Batch

    with pytest.raises(SinkError, match="HTTP 401"):
        HttpSink(f"{url}/v1/events").send(Batch("batch-0001", (), 0))
