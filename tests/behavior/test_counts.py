"""The SQL that counts runtime events gives what the Python reference gives, on a real store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from scanner.behavior.counts import count_events
from scanner.store import open_store
from tests.behavior.helpers import T0, Stream, stamp


def _stream() -> Stream:
    s = Stream(seed=3)
    s.info("a", T0, "gmail-mcp", "1.4.2")
    s.calls("a", T0, 30, 7, {"read": 0.8, "write": 0.15, "exec": 0.05},
            error_share=0.1, external_share=0.3)  # fmt: skip
    s.info("a", T0 + timedelta(hours=20), "gmail-mcp", "1.5.0")
    s.tools_changed("a", T0 + timedelta(hours=21), "gmail-mcp")
    s.tools_changed("a", T0 + timedelta(hours=21, minutes=5), "gmail-mcp")
    s.calls("b", T0 + timedelta(hours=3), 10, 4, {"network": 1.0}, server="fetch-mcp")
    s.info("b", T0, "fetch-mcp", "0.1.0")
    # No action class, a failed outcome: counted as unknown and as an error.
    s.events.append(replace(s.events[-2], seq=99_999, action_class=None, outcome="failed"))
    return s


def test_sql_counts_equal_the_reference(tmp_path, store_db):
    events = _stream().events
    since, until = stamp(T0 + timedelta(hours=2)), stamp(T0 + timedelta(hours=25))
    with open_store(store_db) as store:
        store.record_events(events, at="t")
        for agents in (None, ["a"], [], ["b", "nobody"]):
            got = store.behavior_counts(since=since, until=until, agents=agents)
            ref = count_events(events, since=since, until=until, agents=agents)
            assert got == ref
    full = count_events(events, since=since, until=until)
    assert len(full.calls) > 0 and "unknown" in full.calls.action_class
    assert sum(full.calls.errors) > 0 and sum(full.calls.external) > 0
    assert [(v.agent, v.version) for v in full.servers] == [
        ("a", "1.4.2"),
        ("a", "1.5.0"),
        ("b", "0.1.0"),
    ]
    assert len(full.tools_changed) == 1  # two notifications in one hour are one
    assert all(since <= h + ":00:00" or h == since[:13] for h in full.calls.hour)


def test_the_interface_default_is_the_reference(tmp_path, store_db):
    """A backend without its own SQL (the base class method) still answers correctly."""
    from scanner.store.interface import Store

    events = _stream().events
    since, until = stamp(T0), stamp(T0 + timedelta(days=2))
    with open_store(store_db) as store:
        store.record_events(events, at="t")
        generic = Store.behavior_counts(store, since=since, until=until)
        assert generic == store.behavior_counts(since=since, until=until)
