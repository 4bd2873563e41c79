"""Synthetic fleets for evaluating behaviour analysis, written as runtime events (schema
``chainwatch.event/1``) so the evaluation goes through the real import path.

A fleet: agents with their own volume and class mix, a daily rhythm (busy hours) and a weekly
one (quiet weekends); each agent uses three servers whose tools have action classes. Changes are
server version changes the agent sees (server_info events with a new version). Scenarios:
- targets: an agent upgrades a server at time T and its risky classes (write, write_destructive,
  exec) become ``factor`` times as likely; a decoy upgrade of another server shortly before;
  or a class it never called (exec) appears after the upgrade;
- negative controls on the other agents: benign upgrades, volume-only changes (x0.5 or x2);
- fleet_wide: every agent's risky rate x``fleet_factor`` at T with no change, while benign
  upgrades happen around T.
Everything is drawn from one seeded generator: the same seed gives the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
SERVERS: dict[str, tuple[tuple[str, str], ...]] = {
    "gmail-mcp": (
        ("read_email", "read"),
        ("send_email", "write"),
        ("delete_email", "write_destructive"),
    ),
    "files-mcp": (
        ("read_file", "read"),
        ("write_file", "write"),
        ("delete_file", "write_destructive"),
    ),
    "slack-mcp": (("read_channel", "read"), ("post_message", "write")),
    "github-mcp": (("get_issue", "read"), ("create_issue", "write")),
    "fetch-mcp": (("fetch_url", "network"),),
    "search-mcp": (("search", "read"),),
    "shell-mcp": (("run_command", "exec"),),
}
RISKY = ("write", "write_destructive", "exec")
NEW_TOOL = ("run_script", "exec")  # the tool an upgrade adds in the new-class scenario


@dataclass(frozen=True)
class Target:
    """An injected shift: which agent, which change caused it, how big."""

    agent: str
    server: str  # the culprit server
    at: datetime
    factor: float  # 0 for the new-class scenario
    before: str
    after: str


@dataclass(frozen=True)
class Fleet:
    """What a simulated fleet holds, and its truth."""

    path: Path
    agents: tuple[str, ...]
    events: int
    shift_at: datetime  # T: the targets' upgrades, or the fleet-wide shift
    end: datetime
    targets: tuple[Target, ...] = ()
    fleet_factor: float = 1.0
    history_days: float = 0.0


@dataclass
class _Agent:
    name: str
    servers: list[str]
    volume: float  # calls per hour at the daily peak
    weights: dict[tuple[str, str, str], float] = field(
        default_factory=dict
    )  # (server, tool, class)
    versions: dict[str, str] = field(default_factory=dict)
    changes: list[tuple[datetime, str, str]] = field(default_factory=list)  # (at, server, version)
    regimes: list[tuple[datetime, str, float]] = field(default_factory=list)  # (from, kind, x)


def rhythm(when: datetime) -> float:
    """Busy hours and quiet weekends: the share of the peak volume at ``when``."""
    hour = when.hour + when.minute / 60
    day = 0.15 + 0.85 * max(0.0, np.sin(np.pi * (hour - 7) / 12)) if 7 <= hour <= 19 else 0.15
    return float(day * (0.35 if when.weekday() >= 5 else 1.0))


def simulate(
    path: Path,
    *,
    seed: int,
    agents: int = 20,
    days: float = 14.0,
    factors: tuple[float, ...] = (1.5, 2.0, 3.0, 5.0, 10.0),
    new_class: bool = True,
    fleet_factor: float = 1.0,
    after_hours: float = 24.0,
) -> Fleet:
    """Write one fleet's events to ``path`` (JSON Lines) and return its truth."""
    rng = np.random.default_rng(seed)
    shift_at = START + timedelta(days=days - after_hours / 24, minutes=int(rng.integers(0, 600)))
    end = shift_at + timedelta(hours=after_hours)
    fleet = [_agent(rng, i) for i in range(agents)]
    targets: list[Target] = []
    kinds: list[float] = list(factors) + ([0.0] if new_class else [])
    for spec, agent in zip(kinds, fleet, strict=False):
        # Each target's upgrade at its own time in the 12 hours before T.
        at = shift_at - timedelta(minutes=int(rng.integers(0, 720)))
        targets.append(_inject(rng, agent, spec, at))
    for agent in fleet[len(targets) :]:
        _benign(rng, agent, START, end, near=shift_at if fleet_factor != 1 else None)
    if fleet_factor != 1:
        for agent in fleet:
            agent.regimes.append((shift_at, "risky", fleet_factor))
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for agent in fleet:
            for line in _events(rng, agent, seed, end):
                out.write(line)
                count += 1
    return Fleet(path, tuple(a.name for a in fleet), count, shift_at, end, tuple(targets),
                 fleet_factor, days)  # fmt: skip


def _agent(rng: np.random.Generator, i: int) -> _Agent:
    writers = ["gmail-mcp", "files-mcp", "slack-mcp", "github-mcp"]
    others = ["fetch-mcp", "search-mcp"]
    servers = [str(s) for s in rng.choice(writers, 2, replace=False)] + [str(rng.choice(others))]
    agent = _Agent(f"agent-{i:03d}", servers, float(rng.lognormal(np.log(16.0), 0.4)))
    risky_share = float(rng.uniform(0.015, 0.05))
    tools = [(s, t, c) for s in servers for t, c in SERVERS[s]]
    risky = [k for k in tools if k[2] in RISKY]
    calm = [k for k in tools if k[2] not in RISKY]
    shares = rng.dirichlet(np.ones(len(calm)) * 3) * (1 - risky_share)
    agent.weights = {k: float(v) for k, v in zip(calm, shares, strict=True)}
    split = rng.dirichlet(np.ones(len(risky)) * 2) * risky_share
    agent.weights.update({k: float(v) for k, v in zip(risky, split, strict=True)})
    agent.versions = {s: f"1.{int(rng.integers(0, 9))}.{int(rng.integers(0, 9))}" for s in servers}
    return agent


def _bump(version: str, major: bool = False) -> str:
    a, b, _ = (int(x) for x in version.split("."))
    return f"{a + 1}.0.0" if major else f"{a}.{b + 1}.0"


def _inject(rng: np.random.Generator, agent: _Agent, factor: float, at: datetime) -> Target:
    culprit = agent.servers[int(rng.integers(0, 2))]  # one of its two writing servers
    decoy = next(s for s in agent.servers if s != culprit)
    decoy_at = at - timedelta(hours=float(rng.uniform(6, 48)))
    agent.changes.append((decoy_at, decoy, _bump(agent.versions[decoy])))
    before = agent.versions[culprit]
    after = _bump(before, major=factor == 0)
    agent.changes.append((at, culprit, after))
    if factor == 0:
        agent.regimes.append((at, "new_class", 0.03))
        agent.weights[(culprit, *NEW_TOOL)] = 0.0
    else:
        agent.regimes.append((at, "risky", factor))
    return Target(agent.name, culprit, at, factor, before, after)


def _benign(
    rng: np.random.Generator, agent: _Agent, start: datetime, end: datetime, near: datetime | None
) -> None:
    span = (end - start).total_seconds()
    for _ in range(int(rng.poisson(1.0))):
        when = start + timedelta(seconds=float(rng.uniform(0.2, 1.0)) * span)
        server = str(rng.choice(agent.servers))
        agent.changes.append((when, server, "?"))
    if near is not None and rng.random() < 0.4:  # an upgrade around the fleet-wide shift
        when = near + timedelta(hours=float(rng.uniform(-24, 12)))
        agent.changes.append((when, str(rng.choice(agent.servers)), "?"))
    if rng.random() < 0.2:  # a volume-only change
        when = start + timedelta(seconds=float(rng.uniform(0.3, 1.0)) * span)
        agent.regimes.append((when, "volume", float(rng.choice([0.5, 2.0]))))
    agent.changes.sort()
    current = dict(agent.versions)
    resolved = []
    for when, server, _ in agent.changes:
        current[server] = _bump(current[server])
        resolved.append((when, server, current[server]))
    agent.changes = resolved


def _state(agent: _Agent, when: datetime) -> tuple[list[tuple[str, str, str]], np.ndarray, float]:
    """The tools, their probabilities and the volume multiplier in force at ``when``."""
    weights = dict(agent.weights)
    volume = 1.0
    for since, kind, x in agent.regimes:
        if when < since:
            continue
        if kind == "risky":  # the risky share times x exactly (the others make room)
            total = sum(weights.values())
            share = sum(v for k, v in weights.items() if k[2] in RISKY) / total
            x = min(x, 0.95 / share)
            calm = (1 - x * share) / (1 - share)
            weights = {k: v * (x if k[2] in RISKY else calm) for k, v in weights.items()}
        elif kind == "volume":
            volume *= x
        elif kind == "new_class":
            calm = 1 - x
            weights = {k: v * calm for k, v in weights.items()}
            new = next(k for k in weights if k[1:] == NEW_TOOL)
            weights[new] = x
    tools = [k for k, v in weights.items() if v > 0]
    p = np.asarray([weights[k] for k in tools])
    return tools, p / p.sum(), volume


def _events(rng: np.random.Generator, agent: _Agent, seed: int, end: datetime) -> Iterator[str]:
    """The agent's events in time order, batched per day, as JSON lines."""
    versions = dict(agent.versions)
    pending = sorted(agent.changes)
    hours = int((end - START) // timedelta(hours=1)) + 1
    rows: list[tuple[datetime, dict[str, object]]] = []
    for h in range(hours):
        hour = START + timedelta(hours=h)
        if hour.hour == 6:  # a new session each morning: every server says who it is
            rows.extend((hour, _info(s, versions[s])) for s in agent.servers)
        while pending and pending[0][0] < hour + timedelta(hours=1):
            when, server, version = pending.pop(0)
            versions[server] = version
            rows.append((when, _info(server, version)))
            if any(k[0] == server and k[1:] == NEW_TOOL for k in agent.weights):
                rows.append(
                    (
                        when + timedelta(seconds=1),
                        {"kind": "tools_changed", "server": {"name": server}},
                    )
                )
        tools, p, volume = _state(agent, hour)
        n = int(rng.poisson(agent.volume * volume * rhythm(hour + timedelta(minutes=30))))
        if n == 0:
            continue
        picks = rng.choice(len(tools), size=n, p=p)
        offsets = np.sort(rng.uniform(0, 3600, size=n))
        errors = rng.random(n) < 0.02
        external = rng.random(n)
        for k, off, err, ext in zip(picks, offsets, errors, external, strict=True):
            server, tool, cls = tools[int(k)]
            when = hour + timedelta(seconds=float(off))
            if when >= end:
                continue
            row: dict[str, object] = {
                "kind": "tool_call",
                "server": {"name": server, "version": versions[server]},
                "tool": tool,
                "action_class": cls,
                "outcome": "error" if err else "ok",
                "duration_ms": 12.5,
            }
            if ext < 0.15:
                row["provenance"] = "external_email"
            elif ext < 0.6:
                row["provenance"] = "internal_db"
            rows.append((when, row))
    rows.sort(key=lambda r: r[0])
    seqs: dict[str, int] = {}
    for when, row in rows:
        if when >= end:
            continue
        batch = f"sim{seed}-{agent.name}-{when:%Y%m%d}"
        seq = seqs.get(batch, 0)
        seqs[batch] = seq + 1
        event = {"schema": "chainwatch.event/1", "batch_id": batch, "seq": seq,
                 "time": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                 "agent": agent.name, "session": f"{agent.name}-{when:%Y%m%d}", **row}  # fmt: skip
        yield json.dumps(event, separators=(",", ":")) + "\n"


def _info(server: str, version: str) -> dict[str, object]:
    return {
        "kind": "server_info",
        "server": {"name": server, "version": version},
        "component": f"pkg:npm/{server}@{version}",
        "protocol_version": "2025-06-18",
    }
