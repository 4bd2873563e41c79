"""Runtime events in the SQLite store: one transaction per write, a batch kept once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scanner.errors import InputError
from scanner.events.model import ListedTool, RuntimeEvent
from scanner.store import open_store
from scanner.store.migrations import MIGRATIONS


def ev(seq: int, batch: str = "batch-0001", **over: object) -> RuntimeEvent:
    fields: dict[str, object] = {
        "batch_id": batch,
        "seq": seq,
        "time": f"2026-03-01T10:00:{seq:02d}.000000Z",
        "agent": "bot",
        "kind": "tool_call",
        "tool": "search",
        "outcome": "ok",
    }
    fields.update(over)
    return RuntimeEvent(**fields)  # type: ignore[arg-type]


def test_events_round_trip_and_a_batch_is_kept_once(store_db):
    listed = ev(9, kind="tools_list", tool=None, outcome=None, tools=(ListedTool("a", "read"),))
    with open_store(store_db) as store:
        first = store.record_events(
            [ev(0), ev(1, argument_shape=(("q", "string"),)), listed], at="t"
        )
        again = store.record_events([ev(0), ev(1), ev(2)], at="t")
        stored = store.runtime_events()
    assert (first.stored, first.duplicates) == (3, 0)
    assert (again.stored, again.duplicates) == (1, 2)
    assert stored == [ev(0), ev(1, argument_shape=(("q", "string"),)), ev(2), listed]


def test_a_failing_import_stores_nothing(store_db):
    def events() -> Iterator[RuntimeEvent]:
        for i in range(12_000):  # more than one chunk is written before the failure
            yield ev(i % 60, batch=f"batch-{i // 60:06d}")
        raise InputError("events.db", "not a chainwatch hook spool")

    with open_store(store_db) as store:
        with pytest.raises(InputError):
            store.record_events(events(), at="t")
        assert store.runtime_events() == []


def test_the_events_table_comes_from_its_own_migration(store_db):
    with open_store(store_db) as store:
        assert store.schema_version() == MIGRATIONS[-1][0]
    assert any("CREATE TABLE runtime_events" in sql for _, sql in MIGRATIONS)
