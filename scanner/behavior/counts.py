"""What behaviour analysis reads from the store: runtime events already counted, never loaded
one by one. The store aggregates (``Store.behavior_counts``); analysis works on arrays of these.

Hours are the first 13 characters of an event's RFC 3339 UTC time (``2026-03-01T14``): a plain
``substr`` in any SQL dialect, and the string order is the time order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.events.model import RuntimeEvent

RISKY_CLASSES = ("write", "write_destructive", "exec")
ERROR_OUTCOMES = ("error", "failed")
EXTERNAL_PREFIX = "external"  # provenance labels such as external_email, external_web


@dataclass(frozen=True, slots=True)
class HourlyCalls:
    """Tool calls counted per agent, hour and action class (columns of equal length)."""

    agent: tuple[str, ...] = ()
    hour: tuple[str, ...] = ()  # "YYYY-MM-DDTHH"
    action_class: tuple[str, ...] = ()  # "unknown" where the event had none
    calls: tuple[int, ...] = ()
    errors: tuple[int, ...] = ()  # outcome error or failed
    external: tuple[int, ...] = ()  # provenance starts with "external"

    def __len__(self) -> int:
        return len(self.agent)


@dataclass(frozen=True, slots=True)
class ToolUse:
    """One tool of one agent: its calls since the window start and when it was first seen."""

    agent: str
    tool: str
    calls: int  # in the window
    first_at: str  # ever (before the window end)
    last_at: str


@dataclass(frozen=True, slots=True)
class ServerVersion:
    """One version of one server an agent talked to, from its server_info events."""

    agent: str
    server: str
    component: str | None  # the package URL the hook reported, when it did
    version: str | None
    first_at: str
    last_at: str


@dataclass(frozen=True, slots=True)
class ToolsChanged:
    """The first tools_changed notification of a server to an agent within one hour."""

    agent: str
    server: str | None
    at: str


@dataclass(frozen=True, slots=True)
class Pact:
    """What an agent declared it does: the action classes it may call, and per-class limits."""

    agent: str
    classes: tuple[str, ...]  # empty: the agent declared no pact (nothing to check against)
    limits: tuple[tuple[str, float], ...] = ()  # action class -> most calls per hour
    source: str = ""  # "scan 12", "manifest chainwatch.toml"


@dataclass(frozen=True, slots=True)
class BehaviorCounts:
    """Everything behaviour analysis needs from the store for one time range."""

    since: str  # window start (RFC 3339); calls before it are not counted
    until: str  # window end (exclusive)
    calls: HourlyCalls
    tools: tuple[ToolUse, ...] = ()
    servers: tuple[ServerVersion, ...] = ()
    tools_changed: tuple[ToolsChanged, ...] = ()


def count_events(
    events: Iterable[RuntimeEvent], *, since: str, until: str, agents: Sequence[str] | None = None
) -> BehaviorCounts:
    """The counts of ``events`` (the reference for every store's SQL: same result, in Python)."""
    keep = set(agents) if agents is not None else None
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    tools: dict[tuple[str, str], list[Any]] = {}
    servers: dict[tuple[str, str, str | None, str | None], list[str]] = {}
    changed: dict[tuple[str, str | None, str], str] = {}
    for e in events:
        if e.time >= until or (keep is not None and e.agent not in keep):
            continue
        if e.kind == "tool_call" and e.tool is not None:
            tool = tools.setdefault((e.agent, e.tool), [0, e.time, e.time])
            tool[1], tool[2] = min(tool[1], e.time), max(tool[2], e.time)
            if e.time >= since:
                tool[0] += 1
                cell = cells[(e.agent, e.time[:13], e.action_class or "unknown")]
                cell[0] += 1
                cell[1] += e.outcome in ERROR_OUTCOMES
                cell[2] += (e.provenance or "").startswith(EXTERNAL_PREFIX)
        elif e.kind == "server_info" and e.server_name is not None:
            key = (e.agent, e.server_name, e.component, e.server_version)
            seen = servers.setdefault(key, [e.time, e.time])
            seen[0], seen[1] = min(seen[0], e.time), max(seen[1], e.time)
        elif e.kind == "tools_changed":
            hour_key = (e.agent, e.server_name, e.time[:13])
            changed[hour_key] = min(changed.get(hour_key, e.time), e.time)
    ordered = sorted(cells.items())
    return BehaviorCounts(
        since=since,
        until=until,
        calls=HourlyCalls(
            agent=tuple(k[0] for k, _ in ordered),
            hour=tuple(k[1] for k, _ in ordered),
            action_class=tuple(k[2] for k, _ in ordered),
            calls=tuple(v[0] for _, v in ordered),
            errors=tuple(v[1] for _, v in ordered),
            external=tuple(v[2] for _, v in ordered),
        ),
        tools=tuple(ToolUse(a, t, v[0], v[1], v[2]) for (a, t), v in sorted(tools.items())),
        servers=tuple(
            ServerVersion(k[0], k[1], k[2], k[3], v[0], v[1])
            for k, v in sorted(
                servers.items(),
                key=lambda kv: (kv[0][0], kv[0][1], kv[1][0], kv[0][2] or "", kv[0][3] or ""),
            )
        ),
        tools_changed=tuple(
            ToolsChanged(a, s, at)
            for (a, s, _), at in sorted(changed.items(), key=lambda kv: (kv[0][0], kv[1]))
        ),
    )
