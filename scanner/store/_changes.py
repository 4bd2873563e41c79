"""Baselines and change events in the store: which scan each agent's accepted state is, and every
change a scan or rescan noticed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scanner.baseline import BaselineRecord, ChangeCause, ChangeEvent

if TYPE_CHECKING:
    from scanner.store.conn import Conn


def latest_scan_id(conn: Conn, agent: str | None, *, before: int | None = None) -> int | None:
    """The newest scan (that covered ``agent``; before scan ``before``), or None."""
    table, column = ("scans", "id") if agent is None else ("agents", "scan_id")
    clauses = [f"{column} < ?"] if before is not None else []
    params: list[object] = [before] if before is not None else []
    if agent is not None:
        clauses.append("agent_id = ?")
        params.append(agent)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    row = conn.execute(f"SELECT max({column}) FROM {table}{where}", params).fetchone()
    return int(row[0]) if row[0] is not None else None


def save_baselines(conn: Conn, scan_id: int, agents: Sequence[str], at: str) -> None:
    """Make ``scan_id`` the accepted baseline of ``agents`` (inside the caller's transaction)."""
    conn.executemany(
        "INSERT INTO baselines (agent_id, scan_id, accepted_at) VALUES (?, ?, ?)"
        " ON CONFLICT(agent_id) DO UPDATE SET scan_id=excluded.scan_id,"
        " accepted_at=excluded.accepted_at",
        [[a, scan_id, at] for a in agents],
    )


def load_baselines(conn: Conn) -> list[BaselineRecord]:
    """Every accepted baseline, by agent."""
    cursor = conn.execute("SELECT agent_id, scan_id, accepted_at FROM baselines ORDER BY agent_id")
    return [BaselineRecord(r[0], int(r[1]), r[2]) for r in cursor]


def save_events(conn: Conn, events: Sequence[ChangeEvent]) -> None:
    """Insert change events (inside the caller's transaction)."""
    conn.executemany(
        "INSERT INTO change_events (at, agent_id, component_key, kind, before, after, cause,"
        " scan_id, severity, location, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                e.at,
                e.agent,
                e.component_key,
                e.kind,
                e.before,
                e.after,
                e.cause.value,
                e.scan_id,
                e.severity,
                e.location,
                e.message,
            ]
            for e in events
        ],
    )


def load_events(conn: Conn, agent: str | None, limit: int) -> list[ChangeEvent]:
    """Stored change events, newest first (of one agent, or all)."""
    where, params = ("WHERE agent_id = ?", [agent]) if agent else ("", [])
    cursor = conn.execute(
        "SELECT at, agent_id, component_key, kind, before, after, cause, scan_id, severity,"
        f" message, location, id FROM change_events {where} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    return [
        ChangeEvent(
            r[0], r[1], r[2], r[3], r[4], r[5], ChangeCause(r[6]), r[7], r[8], r[9], r[10], r[11]
        )
        for r in cursor
    ]
