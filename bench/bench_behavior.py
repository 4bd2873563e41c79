"""Behaviour analysis over 1,000,000 runtime events from 1,000 agents (target: under 10 s).

Setup (not timed): 1,000 agents x 1,000 tool calls over 28 days (daily rhythm, each agent its
own mix), a server_info per agent and day, 100 agents upgrading a server on day 25 (10 of them
with 10x the write rate after it), imported into a fresh SQLite file through
``store.record_events``. Timed, best of ROUNDS, all in this run:
1. analysis: ``fleet_behavior`` (SQL counts + fingerprints + detection + attribution + pacts);
2. of which the SQL counts alone (``store.behavior_counts``);
3. baseline: loading the events as objects (``store.runtime_events``) and counting them in
   Python (``count_events``), which is what the SQL replaces; the ratio is printed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.behavior.analyse import fleet_behavior  # noqa: E402
from scanner.behavior.counts import count_events  # noqa: E402
from scanner.behavior.model import Verdict  # noqa: E402
from scanner.behavior.series import rfc3339  # noqa: E402
from scanner.events.model import RuntimeEvent  # noqa: E402
from scanner.store import open_store  # noqa: E402

AGENTS = 1_000
CALLS = 1_000  # per agent
DAYS = 28
START = datetime(2026, 3, 2, tzinfo=UTC)
AS_OF = START + timedelta(days=DAYS)
UPGRADE = START + timedelta(days=25, hours=3)
ROUNDS = 3
CLASSES = ("read", "write", "write_destructive", "network", "exec")


def _events(seed: int) -> Iterator[RuntimeEvent]:
    rng = np.random.default_rng(seed)
    hour_weight = np.array([0.2 if h < 7 or h > 19 else 1.0 for h in range(24)] * DAYS)
    hour_weight /= hour_weight.sum()
    for a in range(AGENTS):
        agent = f"agent-{a:04d}"
        batch = f"bench-{a:04d}"
        seq = 0
        for day in range(DAYS):
            when = START + timedelta(days=day, hours=6)
            version = "1.5.0" if a < 100 and when > UPGRADE else "1.4.2"
            yield RuntimeEvent(batch, seq, rfc3339(when), agent, "server_info",
                               server_name="gmail-mcp", server_version=version)  # fmt: skip
            seq += 1
        if a < 100:
            yield RuntimeEvent(batch, seq, rfc3339(UPGRADE), agent, "server_info",
                               server_name="gmail-mcp", server_version="1.5.0")  # fmt: skip
            seq += 1
        hours = np.sort(rng.choice(24 * DAYS, size=CALLS, p=hour_weight))
        mix = rng.dirichlet([60, 2, 0.5, 10, 0.5])
        hot = mix.copy()
        hot[1] *= 10
        hot /= hot.sum()
        for h in hours:
            when = START + timedelta(hours=int(h), seconds=int(rng.integers(0, 3600)))
            p = hot if a < 10 and when > UPGRADE else mix
            cls = CLASSES[int(rng.choice(5, p=p))]
            yield RuntimeEvent(batch, seq, rfc3339(when), agent, "tool_call",
                               server_name="gmail-mcp", tool=f"{cls}_tool", action_class=cls,
                               outcome="ok")  # fmt: skip
            seq += 1


def _best(step: object) -> float:
    assert callable(step)
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    """Import, then time the analysis against the object-loading baseline."""
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.db") as store:
        t = time.perf_counter()
        written = store.record_events(_events(seed=1), at=rfc3339(AS_OF))
        print(f"setup: {written.stored:,} events stored in {time.perf_counter() - t:.1f} s")
        since = rfc3339(AS_OF - timedelta(days=28))
        fleet = fleet_behavior(store, as_of=AS_OF)
        shifts = [
            a.change.agent
            for ab in fleet.agents
            for a in ab.attributions
            if a.verdict is Verdict.SHIFT
        ]
        tested = sum(len(ab.attributions) for ab in fleet.agents)
        print(f"agents: {len(fleet.agents):,}; changes tested: {tested}; shifts: {len(shifts)}")
        full = _best(lambda: fleet_behavior(store, as_of=AS_OF))
        sql = _best(lambda: store.behavior_counts(since=since, until=rfc3339(AS_OF)))
        t = time.perf_counter()
        events = store.runtime_events(limit=2 * AGENTS * CALLS)
        count_events(events, since=since, until=rfc3339(AS_OF))
        baseline = time.perf_counter() - t
        print(f"fleet_behavior (SQL counts + fingerprint + detection + attribution): {full:.2f} s")
        print(f"  of which SQL counts: {sql:.2f} s; analysis on arrays: {full - sql:.2f} s")
        print(f"baseline, events loaded as objects and counted in Python: {baseline:.2f} s")
        print(f"counts: SQL {baseline / sql:.1f}x faster than loading objects")
        print(f"target < 10 s: {'met' if full < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
