"""Runtime events in the store: the table, writes that keep a batch once, reads.

(batch_id, seq) is the key: a batch imported twice (or sent by two collectors) is stored once,
and the second import reports its events as duplicates. PostgreSQL partitions the table by
month and writes through its own path (``pg_events.py``); the reads here serve both.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.events.model import EventsWritten, RuntimeEvent
    from scanner.store.conn import Conn

EVENTS_MIGRATION = """
CREATE TABLE runtime_events (
    id INTEGER PRIMARY KEY,
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
    UNIQUE (batch_id, seq)
);
CREATE INDEX runtime_events_agent_time ON runtime_events(agent, time);
"""

_COLUMNS = (
    "batch_id, seq, time, agent, kind, session, server_name, server_version, component, "
    "protocol_version, tool, action_class, outcome, duration_ms, provenance, tools, "
    "argument_shape"
)


class StoreEvents:
    """The runtime-event methods of the store (kept here so base.py stays small)."""

    conn: Conn

    def _write(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError  # the backend's transaction

    def record_events(self, events: Iterable[RuntimeEvent], *, at: str) -> EventsWritten:
        """Write runtime events in one transaction; a known (batch_id, seq) is not stored again."""
        from scanner.store._eventrows import insert_events  # the events' model loads with use

        with self._write() as conn:  # an import is stored whole or not at all
            assert isinstance(conn, sqlite3.Connection)  # PostgresStore has its own path
            return insert_events(conn, events, at)

    def runtime_events(self, *, agent: str | None = None, limit: int = 1_000) -> list[RuntimeEvent]:
        """Stored runtime events in time order (of one agent, or all), at most ``limit``."""
        from scanner.store._eventrows import select_events

        return list(select_events(self.conn, agent=agent, limit=limit))
