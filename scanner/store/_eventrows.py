"""Runtime events as rows and back (``events.py`` holds the table and the store's methods).

Apart from ``events.py`` so that opening a store does not load the events' model: a check never
reads an event.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from scanner.events.model import EventsWritten, ListedTool, RuntimeEvent
from scanner.store.events import _COLUMNS

if TYPE_CHECKING:
    from scanner.store.conn import Conn

_CHUNK = 5_000


# Bounded: a long-running collector sees a few tool lists and shapes per agent, not millions.
@lru_cache(maxsize=256)
def _tools_json(tools: tuple[ListedTool, ...]) -> str:
    return json.dumps([[t.name, t.action_class] for t in tools])


@lru_cache(maxsize=2048)
def _shape_json(shape: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([list(pair) for pair in shape])


def _row(e: RuntimeEvent, at: str) -> tuple[object, ...]:
    # Events of one agent repeat the same few tool lists and argument shapes: encode each once.
    return (e.batch_id, e.seq, e.time, e.agent, e.kind, e.session, e.server_name,
            e.server_version, e.component, e.protocol_version, e.tool, e.action_class,
            e.outcome, e.duration_ms, e.provenance, _tools_json(e.tools),
            _shape_json(e.argument_shape), at)  # fmt: skip


def insert_events(
    conn: sqlite3.Connection, events: Iterable[RuntimeEvent], at: str
) -> EventsWritten:
    """Insert events in chunks inside the caller's transaction; known (batch, seq) are skipped."""
    marks = ", ".join("?" * 18)
    sql = f"INSERT OR IGNORE INTO runtime_events ({_COLUMNS}, imported_at) VALUES ({marks})"
    stored = offered = 0
    source = iter(events)
    while chunk := list(islice(source, _CHUNK)):
        before = conn.total_changes
        conn.executemany(sql, [_row(e, at) for e in chunk])
        stored += conn.total_changes - before
        offered += len(chunk)
    return EventsWritten(stored, offered - stored)


def _event(row: sqlite3.Row | tuple[object, ...]) -> RuntimeEvent:
    (batch_id, seq, time, agent, kind, session, server_name, server_version, component,
     protocol, tool, action, outcome, duration, provenance, tools, shape) = row  # fmt: skip
    return RuntimeEvent(
        batch_id=str(batch_id),
        seq=int(str(seq)),
        time=str(time),
        agent=str(agent),
        kind=str(kind),
        session=_opt(session),
        server_name=_opt(server_name),
        server_version=_opt(server_version),
        component=_opt(component),
        protocol_version=_opt(protocol),
        tool=_opt(tool),
        action_class=_opt(action),
        outcome=_opt(outcome),
        duration_ms=float(str(duration)) if duration is not None else None,
        provenance=_opt(provenance),
        tools=tuple(ListedTool(n, c) for n, c in json.loads(str(tools))),
        argument_shape=tuple((n, t) for n, t in json.loads(str(shape))),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def select_events(
    conn: Conn, *, agent: str | None = None, limit: int = 1_000
) -> Iterator[RuntimeEvent]:
    """Stored events in time order (of one agent, or all), at most ``limit``."""
    where, params = ("WHERE agent = ?", [agent]) if agent is not None else ("", [])
    sql = f"SELECT {_COLUMNS} FROM runtime_events {where} ORDER BY time, batch_id, seq LIMIT ?"
    for row in conn.execute(sql, [*params, limit]):
        yield _event(row)
