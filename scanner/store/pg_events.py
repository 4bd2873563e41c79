"""Runtime events in PostgreSQL: a table partitioned by month, bulk ingest, retention.

1. Partitions: ``runtime_events`` is range-partitioned on ``time`` (RFC 3339 UTC text in byte
   order), one partition per month, created on first need by ATTACH (which does not block
   concurrent ingest) and dropped whole by retention.
2. Once per (batch_id, seq): PostgreSQL requires a unique key on a partitioned table to contain
   the partition key, so UNIQUE (batch_id, seq, time) alone would let the same (batch, seq) with
   another time land in another month. Ingest therefore takes a transaction-scoped advisory lock
   per batch id (in sorted order, so two collectors never wait on each other in a circle), looks
   up which of the batch's seqs are stored in any partition, and writes only the rest (COPY).
   Every write of events goes through here, so the rule holds for the whole table.
3. The reads are the shared ones (events.py, tokens.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from scanner.errors import StoreConflict, StoreError
from scanner.store.events import _COLUMNS

if TYPE_CHECKING:
    import psycopg

    from scanner.events.model import EventsWritten, RuntimeEvent
    from scanner.store.conn import PgConnection
    from scanner.store.target import PostgresURL

PG_EVENTS_MIGRATION = """
CREATE SEQUENCE runtime_events_id_seq AS BIGINT;
CREATE TABLE runtime_events (
    id INTEGER NOT NULL DEFAULT nextval('runtime_events_id_seq'),
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    time TEXT NOT NULL,
    agent TEXT NOT NULL,
    kind TEXT NOT NULL,
    session TEXT,
    server_name TEXT,
    server_version TEXT,
    component TEXT,
    protocol_version TEXT,
    tool TEXT,
    action_class TEXT,
    outcome TEXT,
    duration_ms REAL,
    provenance TEXT,
    tools TEXT NOT NULL,
    argument_shape TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (batch_id, seq, time)
) PARTITION BY RANGE (time);
ALTER SEQUENCE runtime_events_id_seq OWNED BY runtime_events.id;
CREATE INDEX runtime_events_agent_time ON runtime_events (agent, time);
"""

PARTITION_PREFIX = "runtime_events_p"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])")
_PARTITION = re.compile(rf"^{PARTITION_PREFIX}(\d{{4}})(\d{{2}})$")
_CHUNK = 5_000
_ATTEMPTS = 3  # a sequence of events that lost a deadlock is written again
# Advisory lock keys (any two constants): partition DDL, and the seed of the per-batch keys.
_PARTITION_LOCK = 0x63770001
_BATCH_SEED = 0x63770002
LOCK_TIMEOUT = "10s"  # partition DDL waits at most this long behind a retention job


def month_of(time: str) -> str:
    """The ``YYYY-MM`` partition of an event time; StoreError for a time not in RFC 3339."""
    match = _MONTH.match(time)
    if match is None:
        raise StoreError(
            f"runtime event time {time[:40]!r} is not RFC 3339 (YYYY-MM-DDTHH:MM:SS...Z)",
            hint="events come from `chainwatch events import` or the collector, which normalise it",
        )
    return match.group(0)


def next_month(month: str) -> str:
    """The month after ``YYYY-MM``."""
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def partition_name(month: str) -> str:
    """The table holding one month of events."""
    return f"{PARTITION_PREFIX}{month[:4]}{month[5:7]}"


class PgEvents:
    """The runtime-event writes of ``PostgresStore``."""

    pg: PgConnection  # the same object as ``conn``, typed as the pool it is
    url: PostgresURL
    where: str
    _partitions: set[str]

    def record_events(self, events: Iterable[RuntimeEvent], *, at: str) -> EventsWritten:
        """Write runtime events in one transaction; a known (batch_id, seq) is not stored again.

        A write of more than one chunk locks its batches chunk by chunk, so two such writes
        sharing batches can deadlock; PostgreSQL then rolls one back. Given as a sequence, that
        one is written again (``_ATTEMPTS`` in all); a stream cannot be read twice, so its writer
        gets a StoreConflict to make the write again (``events import`` does).
        """
        import psycopg

        attempts = _ATTEMPTS if isinstance(events, Sequence) else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._write_events(events, at)
            except psycopg.errors.DeadlockDetected as exc:
                if attempt == attempts:
                    raise StoreConflict(
                        f"{self.where}: the events were not stored: a concurrent write of the "
                        f"same batches won a deadlock ({self.url.scrub(str(exc)).splitlines()[0]})",
                        hint="nothing of this write was stored; send it again",
                    ) from None
            except psycopg.Error as exc:
                raise StoreError(
                    f"{self.where}: could not store the events: {self.url.scrub(str(exc))}",
                    hint="nothing of this write was stored; send it again",
                ) from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _write_events(self, events: Iterable[RuntimeEvent], at: str) -> EventsWritten:
        from scanner.events.model import EventsWritten  # loads with the first write of events

        stored = offered = 0
        source = iter(events)
        with self.pg.transaction() as pg:  # an import is stored whole or not at all
            while chunk := list(islice(source, _CHUNK)):
                offered += len(chunk)
                self.ensure_partitions({month_of(e.time) for e in chunk})
                stored += _insert_new(pg, chunk, at)
        return EventsWritten(stored, offered - stored)

    def ensure_partitions(self, months: set[str]) -> None:
        """Create the partitions of ``months`` that do not exist yet (committed at once)."""
        missing = sorted(m for m in months if m not in self._partitions)
        if not missing:
            return
        # Its own connection and transaction: ATTACH takes only SHARE UPDATE EXCLUSIVE on the
        # parent, so it neither waits for nor blocks the ingest transaction that asked for it.
        with self.pg.pool.connection() as pg, pg.transaction():
            pg.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [_PARTITION_LOCK])
            for month in missing:
                name = partition_name(month)
                exists = pg.execute("SELECT to_regclass(%s)", [name]).fetchone()
                if exists is None or exists[0] is None:
                    pg.execute(f"CREATE TABLE {name} (LIKE runtime_events INCLUDING DEFAULTS)")
                    pg.execute(
                        f"ALTER TABLE runtime_events ATTACH PARTITION {name}"
                        f" FOR VALUES FROM ('{month}') TO ('{next_month(month)}')"
                    )
        self._partitions.update(missing)

    def event_partitions(self) -> list[str]:
        """The months that have a partition, oldest first."""
        rows = self.pg.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass('runtime_events')"
        ).fetchall()
        found = (_PARTITION.match(str(r[0])) for r in rows)
        return sorted(f"{m.group(1)}-{m.group(2)}" for m in found if m)

    def prune_events(self, before: str) -> tuple[int, int]:
        """Drop the months wholly before ``before``, delete the older rest; (rows, partitions)."""
        cut = month_of(before)
        rows = dropped = 0
        for month in self.event_partitions():
            if next_month(month) > cut:
                continue
            name = partition_name(month)
            (count,) = self.pg.execute(f"SELECT count(*) FROM {name}").fetchone() or (0,)
            rows += int(count)
            # CONCURRENTLY (autocommit, outside a transaction): ingest goes on meanwhile.
            self.pg.execute(f"ALTER TABLE runtime_events DETACH PARTITION {name} CONCURRENTLY")
            self.pg.execute(f"DROP TABLE {name}")
            self._partitions.discard(month)
            dropped += 1
        with self.pg.transaction():
            cursor = self.pg.execute("DELETE FROM runtime_events WHERE time < ?", [before])
        return rows + cursor.rowcount, dropped


def _insert_new(pg: psycopg.Connection[Any], chunk: list[RuntimeEvent], at: str) -> int:
    """Lock the chunk's batches, skip the (batch, seq) stored in any partition, COPY the rest."""
    from scanner.store._eventrows import _row

    batches = sorted({e.batch_id for e in chunk})
    pg.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(b, %s)) FROM unnest(%s::text[]) AS b",
        [_BATCH_SEED, batches],
    )
    known = {
        (str(b), int(s))
        for b, s in pg.execute(
            "SELECT batch_id, seq FROM runtime_events WHERE batch_id = ANY(%s)", [batches]
        )
    }
    rows = []
    for event in chunk:
        key = (event.batch_id, event.seq)
        if key not in known:
            known.add(key)
            rows.append(_row(event, at))
    if rows:
        with (
            pg.cursor() as cur,
            cur.copy(f"COPY runtime_events ({_COLUMNS}, imported_at) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    return len(rows)
