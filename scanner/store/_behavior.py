"""Runtime events counted for behaviour analysis, in SQL (``Store.behavior_counts``).

The SQL is plain enough for PostgreSQL too: ``substr`` for the hour, ``CASE`` sums, ``LIKE`` for
the provenance prefix, ``GROUP BY`` and ``min``/``max``; parameters are the only dialect detail.
A million events come back as some hundred thousand rows of counts, never as event objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scanner.behavior.counts import (
    ERROR_OUTCOMES,
    EXTERNAL_PREFIX,
    BehaviorCounts,
    HourlyCalls,
    ServerVersion,
    ToolsChanged,
    ToolUse,
)

if TYPE_CHECKING:
    from scanner.store.conn import Conn

_ERR = ", ".join(f"'{o}'" for o in ERROR_OUTCOMES)
HOURLY_SQL = (
    "SELECT agent, substr(time, 1, 13) AS hour, coalesce(action_class, 'unknown') AS cls,"
    " count(*),"
    f" sum(CASE WHEN outcome IN ({_ERR}) THEN 1 ELSE 0 END),"
    f" sum(CASE WHEN provenance LIKE '{EXTERNAL_PREFIX}%' THEN 1 ELSE 0 END)"
    " FROM runtime_events WHERE kind = 'tool_call' AND tool IS NOT NULL"
    " AND time >= ? AND time < ?{agents}"
    " GROUP BY agent, substr(time, 1, 13), coalesce(action_class, 'unknown')"
    " ORDER BY agent, hour, cls"
)
TOOLS_SQL = (
    "SELECT agent, tool, sum(CASE WHEN time >= ? THEN 1 ELSE 0 END), min(time), max(time)"
    " FROM runtime_events WHERE kind = 'tool_call' AND tool IS NOT NULL AND time < ?{agents}"
    " GROUP BY agent, tool ORDER BY agent, tool"
)
SERVERS_SQL = (
    "SELECT agent, server_name, component, server_version, min(time), max(time)"
    " FROM runtime_events WHERE kind = 'server_info' AND server_name IS NOT NULL"
    " AND time < ?{agents}"
    " GROUP BY agent, server_name, component, server_version"
)
CHANGED_SQL = (
    "SELECT agent, server_name, min(time) FROM runtime_events"
    " WHERE kind = 'tools_changed' AND time < ?{agents}"
    " GROUP BY agent, server_name, substr(time, 1, 13)"
)


def behavior_counts(
    conn: Conn, *, since: str, until: str, agents: Sequence[str] | None
) -> BehaviorCounts:
    """Hourly call counts in [since, until) and the tool, server and tools_changed summaries."""
    where, extra = "", []
    if agents is not None:
        where = f" AND agent IN ({', '.join('?' * len(agents))})" if agents else " AND 0 = 1"
        extra = list(agents)
    rows = conn.execute(HOURLY_SQL.format(agents=where), [since, until, *extra]).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    calls = HourlyCalls(
        agent=tuple(columns[0]),
        hour=tuple(columns[1]),
        action_class=tuple(columns[2]),
        calls=tuple(int(c) for c in columns[3]),
        errors=tuple(int(c) for c in columns[4]),
        external=tuple(int(c) for c in columns[5]),
    )
    tools = tuple(
        ToolUse(r[0], r[1], int(r[2]), r[3], r[4])
        for r in conn.execute(TOOLS_SQL.format(agents=where), [since, until, *extra])
    )
    servers = sorted(
        (
            ServerVersion(*r)
            for r in conn.execute(SERVERS_SQL.format(agents=where), [until, *extra])
        ),
        key=lambda s: (s.agent, s.server, s.first_at, s.component or "", s.version or ""),
    )
    changed = sorted(
        (ToolsChanged(*r) for r in conn.execute(CHANGED_SQL.format(agents=where), [until, *extra])),
        key=lambda c: (c.agent, c.at),
    )
    return BehaviorCounts(since, until, calls, tools, tuple(servers), tuple(changed))
