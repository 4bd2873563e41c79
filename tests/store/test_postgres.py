"""What only PostgreSQL has: URLs with credentials, partitions, concurrent writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scanner.errors import StoreConflict, StoreError
from scanner.events.importer import import_events
from scanner.events.model import RuntimeEvent
from scanner.store import PostgresURL, open_sql_store, open_store, parse_target, pg_events
from scanner.store.migrations import MIGRATIONS
from tests.conftest import REPO, pg_url
from tests.store.test_events import ev

pytestmark = pytest.mark.postgres


@pytest.fixture
def url(request: pytest.FixtureRequest) -> PostgresURL:
    return pg_url(request)


def test_a_url_never_prints_its_credentials() -> None:
    url = PostgresURL("postgresql://alice:s3cret-pw@db.example.invalid:5433/cw?sslmode=require")
    for shown in (str(url), repr(url), f"{url}", url.redacted()):
        assert "s3cret-pw" not in shown and "alice" not in shown
    assert str(url) == "postgresql://***@db.example.invalid:5433/cw?sslmode=require"
    assert url.scrub('FATAL: password authentication failed for user "alice"') == (
        'FATAL: password authentication failed for user "***"'
    )
    secret = PostgresURL("postgres://h/cw?password=hunter22&sslmode=disable")
    assert "hunter22" not in str(secret) and "sslmode=disable" in str(secret)
    assert parse_target("postgresql://h/db") == PostgresURL("postgresql://h/db")
    assert parse_target("some/file.db") == Path("some/file.db")
    with pytest.raises(StoreError, match="unsupported store URL scheme 'mysql'"):
        parse_target("mysql://u:pw@h/db")


def test_a_wrong_password_is_a_clear_error_without_the_password(url: PostgresURL) -> None:
    wrong = PostgresURL(url.url.replace(":" + url.url.split(":")[2].split("@")[0], ":not-it", 1))
    with pytest.raises(StoreError, match="cannot connect to the chainwatch store") as info:
        open_store(wrong)
    text = info.value.diagnostics()
    assert "not-it" not in text and "chainwatch:" not in text
    assert "password authentication failed" in text and "***" in text


def test_a_server_that_is_not_there_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot connect") as info:
        open_store("postgresql://u:pw-123@127.0.0.1:9/cw?connect_timeout=2")
    assert "pw-123" not in info.value.diagnostics()


def test_events_go_to_monthly_partitions_listed_once(url: PostgresURL) -> None:
    events = [ev(1, time="2026-01-31T23:59:59.999999Z"), ev(2, time="2026-02-01T00:00:00.000000Z")]
    events.append(ev(3, time="2025-12-15T08:00:00.000000Z"))
    with open_sql_store(url) as store:
        assert store.record_events(events, at="t").stored == 3
        assert store.event_partitions() == ["2025-12", "2026-01", "2026-02"]  # type: ignore[attr-defined]
        assert "runtime_events" in store.tables()
        assert not [t for t in store.tables() if t.startswith("runtime_events_p")]
        assert [e.seq for e in store.runtime_events()] == [3, 1, 2]
        one = next(store.rows("SELECT count(*) AS n FROM runtime_events_p202601"))
        assert one["n"] == 1


def test_a_batch_is_kept_once_across_partitions(url: PostgresURL) -> None:
    # The unique key of a partitioned table must contain the partition key (time), so it alone
    # would store the same (batch, seq) again under another month.
    jan = ev(1, batch="b-1", time="2026-01-10T00:00:00.000000Z")
    mar = ev(1, batch="b-1", time="2026-03-10T00:00:00.000000Z", tool="other")
    with open_store(url) as store:
        first = store.record_events([jan, mar, ev(2, batch="b-1")], at="t")
        again = store.record_events([mar, ev(2, batch="b-1"), ev(3, batch="b-1")], at="t")
        assert (first.stored, first.duplicates) == (2, 1)
        assert (again.stored, again.duplicates) == (1, 2)
        assert store.runtime_events() == [jan, ev(2, batch="b-1"), ev(3, batch="b-1")]


def test_concurrent_writers_of_one_batch_store_it_once(url: PostgresURL) -> None:
    months = ["2026-04", "2026-05", "2026-06"]
    batch = [
        ev(i % 60, batch=f"b-{i // 60:03d}", time=f"{months[i % 3]}-01T00:00:{i % 60:02d}.0Z")
        for i in range(1_200)
    ]
    results = []
    with open_store(url) as store:

        def write() -> None:
            results.append(store.record_events(list(reversed(batch)), at="t"))

        threads = [threading.Thread(target=write) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(r.stored for r in results) == len(batch)
        assert sum(r.duplicates for r in results) == 3 * len(batch)
        assert len(store.runtime_events(limit=10_000)) == len(batch)


def test_a_time_that_is_not_rfc3339_is_refused_not_lost(url: PostgresURL) -> None:
    with open_store(url) as store:
        with pytest.raises(StoreError, match="not RFC 3339"):
            store.record_events([ev(1), ev(2, time="yesterday")], at="t")
        assert store.runtime_events() == []  # all or nothing


CHILD = """
import sys
from scanner.store import open_store
open_store(sys.argv[1]).close()
"""


def test_concurrent_first_opens_migrate_once(url: PostgresURL) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url.url], env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    outputs = [(c.communicate(timeout=120)[1], c.returncode) for c in children]
    assert [err for err, code in outputs if code != 0] == []
    with open_sql_store(url) as store:
        versions = sorted(
            int(r["version"]) for r in store.rows("SELECT version FROM schema_migrations")
        )
    assert versions == sorted(v for v, _ in MIGRATIONS)


def test_a_new_month_in_the_middle_of_one_import_gets_its_partition(url: PostgresURL) -> None:
    # 5,000 events a chunk: the second and third chunks each need a partition that did not
    # exist when the import's transaction had already written the first.
    months = ["2026-01", "2026-02", "2026-03"]
    events = [
        ev(i % 1000, batch=f"b-{i // 1000:03d}", time=f"{months[i // 5000]}-02T00:00:00.{i:06d}Z")
        for i in range(12_000)
    ]

    def failing():
        yield from events
        raise StoreError("the source broke (injected)")

    with open_sql_store(url) as store:
        with pytest.raises(StoreError, match="injected"):
            store.record_events(failing(), at="t")
        assert store.count("runtime_events") == 0  # all or nothing, partitions or not
        written = store.record_events(events, at="t")
        assert (written.stored, written.duplicates) == (12_000, 0)
        assert store.event_partitions() == months
        assert [e.seq for e in store.runtime_events(limit=3)] == [0, 1, 2]


def _crossing_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes of one event per chunk, each pausing after its first chunk until the other has
    written its own: two writes locking two batches in opposite orders then deadlock, always."""
    monkeypatch.setattr(pg_events, "_CHUNK", 1)
    meet = threading.Barrier(2, timeout=20)
    paused = threading.local()
    real = pg_events._insert_new

    def insert(pg, chunk, at):  # type: ignore[no-untyped-def]
        written = real(pg, chunk, at)
        if not getattr(paused, "done", False):
            paused.done = True  # once per thread: a write made again does not wait
            meet.wait()
        return written

    monkeypatch.setattr(pg_events, "_insert_new", insert)


def test_a_write_that_loses_a_deadlock_is_made_again(
    url: PostgresURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two multi-chunk writes sharing two batches, locked in opposite orders: PostgreSQL rolls
    # one back; given as a list (what the collector writes), it is written again, and both land.
    _crossing_writes(monkeypatch)
    one = [ev(0, batch="cross-x-1"), ev(0, batch="cross-y-2")]
    two = [ev(1, batch="cross-y-2"), ev(1, batch="cross-x-1")]
    results: list[object] = []
    with open_store(url) as store:

        def write(events: list[RuntimeEvent]) -> None:
            try:
                results.append(store.record_events(events, at="t"))
            except StoreError as exc:
                results.append(exc)

        threads = [threading.Thread(target=write, args=(e,)) for e in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert [type(r).__name__ for r in results] == ["EventsWritten", "EventsWritten"]
        assert sorted((e.batch_id, e.seq) for e in store.runtime_events()) == sorted(
            (e.batch_id, e.seq) for e in one + two
        )


def test_a_streamed_write_that_loses_a_deadlock_is_a_conflict_and_an_import_makes_it_again(
    url: PostgresURL, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _crossing_writes(monkeypatch)
    one = [ev(0, batch="cross-x-1"), ev(0, batch="cross-y-2")]
    two = [ev(1, batch="cross-y-2"), ev(1, batch="cross-x-1")]
    errors: list[StoreError] = []
    with open_store(url) as store:

        def stream(events: list[RuntimeEvent]) -> None:
            try:
                store.record_events(iter(events), at="t")  # a stream: cannot be read twice
            except StoreConflict as exc:
                errors.append(exc)

        threads = [threading.Thread(target=stream, args=(e,)) for e in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(errors) == 1 and "deadlock" in errors[0].message
        assert "send it again" in errors[0].diagnostics()
        assert len(store.runtime_events()) == 2  # the winner's; nothing of the loser's

    # events import reads its file again and makes the write again.
    monkeypatch.undo()
    _crossing_writes(monkeypatch)
    files = []
    for name, events in (("one", one), ("two", two)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(_event_json(e)) + "\n" for e in events))
        files.append(path)
    imported: list[object] = []
    with open_store(url) as store:

        def run(path: Path) -> None:
            imported.append(import_events(store, path, at="t"))

        threads = [threading.Thread(target=run, args=(p,)) for p in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(r.read for r in imported) == [2, 2]  # type: ignore[attr-defined]
        assert len(store.runtime_events()) == 4


def _event_json(e: RuntimeEvent) -> dict[str, object]:
    """An event as a line of an events file (scanner/runtime/event.schema.json)."""
    return {
        "schema": "chainwatch.event/1",
        "batch_id": e.batch_id,
        "seq": e.seq,
        "time": e.time,
        "agent": e.agent,
        "kind": e.kind,
        "tool": e.tool,
        "outcome": e.outcome,
    }
