"""Retention of runtime events: old ones go (whole partitions in PostgreSQL), the rest stays."""

from __future__ import annotations

from scanner.store import open_sql_store
from tests.store.test_events import ev


def test_events_older_than_the_cutoff_go_and_the_rest_stays(store_db, backend) -> None:
    times = [
        "2025-11-03T00:00:00.000000Z",
        "2025-12-31T23:59:59.999999Z",
        "2026-01-05T00:00:00.000000Z",
        "2026-01-20T12:00:00.000000Z",  # the cut-off month: rows go, the month stays
        "2026-02-01T00:00:00.000000Z",
    ]
    with open_sql_store(store_db) as store:
        store.record_events([ev(i, time=t) for i, t in enumerate(times)], at="t")
        store.record_changes([])  # other tables are not touched: nothing to check there
        removed, dropped = store.prune_events("2026-01-10T00:00:00.000000Z")
        assert removed == 3
        assert dropped == (2 if backend == "postgres" else 0)
        assert [e.time for e in store.runtime_events()] == times[3:]
        # Idempotent: nothing older is left.
        assert store.prune_events("2026-01-10T00:00:00.000000Z") == (0, 0)
        # A batch whose events were pruned can come back only as new events; a kept one cannot.
        again = store.record_events([ev(3, time=times[3]), ev(4, time=times[4])], at="t")
        assert again.stored == 0 and again.duplicates == 2
