"""Batched ingest and OTLP traces through the real app into a real SQLite store."""

from __future__ import annotations

import json

from scanner.store import open_store
from tests.collector.conftest import batch, event


def test_a_batch_is_stored_once_and_read_back_newest_first(collector):
    headers = collector.auth("agent-a")
    body = batch("batch-0001", "agent-a", n=5)
    r = collector.client.post("/v1/events", json=body, headers=headers)
    assert r.status_code == 200
    assert r.json() == {"batch_id": "batch-0001", "stored": 5, "duplicates": 0, "rejected": []}
    again = collector.client.post("/v1/events", json=body, headers=headers)
    assert again.json() == {"batch_id": "batch-0001", "stored": 0, "duplicates": 5, "rejected": []}
    with open_store(collector.db) as store:
        assert len(store.runtime_events(agent="agent-a")) == 5
    got = collector.client.get("/v1/agents/agent-a/events?limit=2", headers=headers).json()
    assert [e["seq"] for e in got["events"]] == [4, 3]
    assert got["events"][0]["tool"] == "search"


def test_bad_events_are_rejected_by_index_and_the_rest_stored(collector):
    body = batch("batch-0002", "agent-a", n=3)
    body["events"][1]["kind"] = "rm -rf"
    body["events"][2]["batch_id"] = "batch-9999"
    body["events"].append(event("batch-0002", 7, "agent-a", secret_field="x"))
    r = collector.client.post("/v1/events", json=body, headers=collector.auth("agent-a"))
    assert r.status_code == 200
    out = r.json()
    assert out["stored"] == 1
    assert [x["index"] for x in out["rejected"]] == [1, 2, 3]
    assert "kind" in out["rejected"][0]["problem"]
    assert "differs" in out["rejected"][1]["problem"]


def test_malformed_json_is_400_with_a_message(collector):
    headers = {**collector.auth("agent-a"), "Content-Type": "application/json"}
    cases = {
        b'{"batch_id": ': "not JSON",
        b"\xff\xfe": "not UTF-8",
        b'{"batch_id": "batch-0001", "events": [NaN]}': "NaN",
        b"[1, 2]": "expected an object",
        b'{"batch_id": "x", "events": []}': "batch_id",
        b'{"batch_id": "batch-0001", "events": {}}': "events",
    }
    for raw, needle in cases.items():
        r = collector.client.post("/v1/events", content=raw, headers=headers)
        assert r.status_code == 400, raw
        assert needle in r.json()["detail"], (raw, r.json())


def test_not_json_content_type_is_415(collector):
    headers = {**collector.auth("agent-a"), "Content-Type": "application/x-protobuf"}
    r = collector.client.post("/v1/traces", content=b"\x0a\x00", headers=headers)
    assert r.status_code == 415


def _attr(key, value):
    wrapped = {"intValue": str(value)} if isinstance(value, int) else {"stringValue": value}
    return {"key": key, "value": wrapped}


def _span(span_id, attrs, *, status=None):
    span = {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": span_id,
        "name": "span",
        "startTimeUnixNano": "1772366400000000000",
        "endTimeUnixNano": "1772366400250000000",
        "attributes": [_attr(k, v) for k, v in attrs.items()],
    }
    if status is not None:
        span["status"] = {"code": status}
    return span


def _export(*spans, resource=None):
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [_attr(k, v) for k, v in (resource or {}).items()]},
                "scopeSpans": [{"scope": {"name": "test"}, "spans": list(spans)}],
            }
        ]
    }


def test_otlp_tool_spans_become_events(collector):
    doc = _export(
        _span(
            "eee19b7ec3c1b174",
            {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather"},
        ),
        _span(
            "eee19b7ec3c1b175",
            {
                "mcp.method.name": "tools/call",
                "gen_ai.tool.name": "read_file",
                "mcp.session.id": "s1",
            },
            status=2,
        ),
        _span("eee19b7ec3c1b176", {"gen_ai.operation.name": "chat"}),  # not a tool call
        resource={"service.name": "my-agent"},
    )
    headers = collector.auth("agent-a")
    r = collector.client.post("/v1/traces", json=doc, headers=headers)
    assert r.status_code == 200
    assert r.json() == {}
    assert collector.client.post("/v1/traces", json=doc, headers=headers).status_code == 200
    with open_store(collector.db) as store:
        events = store.runtime_events(agent="agent-a")
    assert [(e.tool, e.outcome, e.session) for e in events] == [
        ("get_weather", "ok", None),
        ("read_file", "error", "s1"),
    ]  # the re-sent export was stored once
    assert events[0].time == "2026-03-01T12:00:00.000000Z"
    assert events[0].duration_ms == 250.0
    assert events[0].batch_id == "otlp:5b8efff798038103d269b633813fc60ceee19b7ec3c1b174"


def test_otlp_spans_that_cannot_be_events_are_partial_success(collector):
    doc = _export(
        _span("eee19b7ec3c1b174", {"gen_ai.operation.name": "execute_tool"}),  # no tool name
        _span("not-hex", {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t"}),
        _span(
            "eee19b7ec3c1b176", {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t"}
        ),
    )
    r = collector.client.post("/v1/traces", json=doc, headers=collector.auth("agent-a"))
    assert r.status_code == 200
    partial = r.json()["partialSuccess"]
    assert partial["rejectedSpans"] == 2
    assert "gen_ai.tool.name" in partial["errorMessage"]
    assert "spanId" in partial["errorMessage"]


def test_otlp_claiming_another_agent_is_403(collector):
    doc = _export(
        _span(
            "eee19b7ec3c1b174", {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t"}
        ),
        resource={"gen_ai.agent.name": "agent-b"},
    )
    r = collector.client.post("/v1/traces", json=doc, headers=collector.auth("agent-a"))
    assert r.status_code == 403
    with open_store(collector.db) as store:
        assert store.runtime_events() == []


def test_malformed_otlp_is_400_with_where(collector):
    headers = collector.auth("agent-a")
    cases = [
        ({"spans": []}, "no resourceSpans"),
        ({"resourceSpans": {}}, "$.resourceSpans: expected a list"),
        ({"resourceSpans": [{"scopeSpans": [{"spans": [7]}]}]}, "spans[0]: expected an object"),
        (
            {"resourceSpans": [{"resource": {"attributes": [{"key": 1}]}}]},
            "attributes[0].key",
        ),
    ]
    for doc, needle in cases:
        r = collector.client.post("/v1/traces", json=doc, headers=headers)
        assert r.status_code == 400, doc
        assert needle in r.json()["detail"], (doc, r.json())


def test_a_batch_with_one_event_for_another_agent_is_refused_whole_even_when_invalid(collector):
    # The foreign event also fails the schema: the claim alone refuses the batch, nothing stored.
    body = batch("batch-0003", "agent-a", n=3)
    body["events"].append(event("batch-0003", 3, "agent-b", kind="bogus"))
    r = collector.client.post("/v1/events", json=body, headers=collector.auth("agent-a"))
    assert r.status_code == 403
    with open_store(collector.db) as store:
        assert store.runtime_events() == []


def test_events_that_are_not_objects_are_rejected_by_index(collector):
    body = batch("batch-0004", "agent-a", n=2)
    body["events"][1:1] = [None, ["not", "an", "event"], "x"]
    r = collector.client.post("/v1/events", json=body, headers=collector.auth("agent-a"))
    assert r.status_code == 200
    out = r.json()
    assert out["stored"] == 2
    assert [(x["index"], x["problem"]) for x in out["rejected"]] == [
        (i, "$: expected an event object") for i in (1, 2, 3)
    ]


def test_a_lone_surrogate_in_an_event_rejects_that_event_not_the_server(collector):
    # "\ud800" is valid JSON but no UTF-8 text: it cannot be stored (it was a 500 before).
    good = json.dumps(event("batch-0005", 0, "agent-a"))
    bad = json.dumps(event("batch-0005", 1, "agent-a", tool="x")).replace('"x"', '"\\ud800x"')
    pair = json.dumps(event("batch-0005", 2, "agent-a", tool="\U0001f600"))  # a proper pair
    raw = f'{{"batch_id": "batch-0005", "events": [{good}, {bad}, {pair}]}}'.encode()
    headers = {**collector.auth("agent-a"), "Content-Type": "application/json"}
    r = collector.client.post("/v1/events", content=raw, headers=headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["stored"] == 2
    assert [(x["index"], "unpaired surrogate" in x["problem"]) for x in out["rejected"]] == [
        (1, True)
    ]
