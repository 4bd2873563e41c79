"""The store on both backends: event ingest, scan writes and reads, SQLite as the baseline.

One process each, the same work in the same run: runtime events through ``record_events``
(SQLite: executemany; PostgreSQL: per-batch locks, then COPY into monthly partitions) and
small scans through ``record_scan``. PostgreSQL runs on a throwaway local server
(scanner/_testing/postgres_server.py); without its binaries only SQLite is measured.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scanner._testing.postgres_server import PostgresServer, find_bindir
from scanner.events.model import RuntimeEvent
from scanner.models import Agent, AgentInventory, Finding, Inventory, Severity
from scanner.store import PostgresURL, StoreTarget, open_store

EVENTS = 200_000
BATCH = 500  # events per record_events call, as the collector receives them
SCANS = 300


def _events() -> list[RuntimeEvent]:
    return [
        RuntimeEvent(
            batch_id=f"b-{i // BATCH:06d}",
            seq=i % BATCH,
            time=f"2026-{1 + i % 3:02d}-01T10:{i // 60 % 60:02d}:{i % 60:02d}.000000Z",
            agent=f"agent-{i % 1000:04d}",
            kind="tool_call",
            tool="search",
            outcome="ok",
        )
        for i in range(EVENTS)
    ]


def _timed(step: Callable[[], None]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def measure(target: StoreTarget, events: list[RuntimeEvent]) -> dict[str, float]:
    """Seconds for each piece of work on one fresh store."""
    inventory = Inventory(tuple(AgentInventory(Agent(id=f"a{i}", name="A")) for i in range(20)))
    finding = Finding("CW100", Severity.LOW, "x", "m", ())
    with open_store(target) as store:

        def ingest() -> None:
            for i in range(0, len(events), BATCH):
                store.record_events(events[i : i + BATCH], at="t")

        def scans() -> None:
            for _ in range(SCANS):
                store.record_scan(
                    kind="scan", started_at="t", finished_at="t", inputs={},
                    inventory=inventory, findings=[("a1", finding)] * 20,
                )  # fmt: skip

        def reads() -> None:
            for i in range(200):
                store.recent_events(f"agent-{i:04d}", limit=100)

        return {"ingest": _timed(ingest), "scans": _timed(scans), "reads": _timed(reads)}


def main() -> None:
    """Print the figures and PostgreSQL's ratio to SQLite."""
    events = _events()
    with tempfile.TemporaryDirectory() as tmp:
        base = measure(Path(tmp) / "bench.db", events)
    results = {"sqlite": base}
    bindir = find_bindir()
    if bindir is None:
        print("postgres: skipped (no initdb/pg_ctl found)")
    else:
        with PostgresServer.running(bindir) as server:
            results["postgres"] = measure(PostgresURL(server.database()), events)
    print(f"{EVENTS:,} events in batches of {BATCH}; {SCANS} scans of 20 agents, 20 findings")
    for name, r in results.items():
        print(
            f"{name:9s} ingest {EVENTS / r['ingest']:>9,.0f} events/s   "
            f"scans {SCANS / r['scans']:>6,.0f}/s   recent_events {200 / r['reads']:>6,.0f}/s"
        )
    if "postgres" in results:
        pg = results["postgres"]
        print(
            "postgres/sqlite throughput: "
            + ", ".join(f"{k} {base[k] / pg[k]:.2f}x" for k in ("ingest", "scans", "reads"))
        )


if __name__ == "__main__":
    main()
