"""Collector ingest into SQLite: batches of 1,000 events through the app vs direct store inserts.

Four ways in the same run, each into its own fresh SQLite file. The ways take turns round by
round (load from other processes hits all alike); per way the best and median events/s of the
rounds are printed, wall clock and CPU time of this process (all its threads: the server thread
of the TestClient too), and the ratio to the baseline paired round by round:
1. baseline: ``store.record_events`` of already-validated events (SQLite alone);
2. file import path: ``event_from_json`` with the pure-Python ``jsonschema`` check (what
   ``events import`` does per line) and the store;
3. ingest, no HTTP: ``parse_json`` + ``ingest_batch`` (the collector's JSON parse, one compiled
   schema check per batch, redaction, agent and batch-id checks, one insert per batch);
4. collector: ``POST /v1/events`` through the real FastAPI app in process (TestClient: ASGI,
   lifespan, auth, body cap, rate limit, JSON parse, validation, store), one batch per request.
Target: >= 50,000 events/s through the collector.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from scanner.collector.app import CollectorSettings, create_app  # noqa: E402
from scanner.collector.body import parse_json  # noqa: E402
from scanner.collector.ingest import ingest_batch  # noqa: E402
from scanner.collector.ratelimit import RateLimit  # noqa: E402
from scanner.collector.tokens import new_token  # noqa: E402
from scanner.events.parse import event_from_json  # noqa: E402
from scanner.store import open_store  # noqa: E402

BATCHES = 20
PER_BATCH = 1_000
ROUNDS = 5
AT = "2026-03-01T12:00:00+00:00"


def _batches(tag: str) -> list[bytes]:
    out = []
    for b in range(BATCHES):
        batch_id = f"bench-{tag}-{b:04d}"
        events = [
            {
                "schema": "chainwatch.event/1",
                "batch_id": batch_id,
                "seq": i,
                "time": f"2026-03-01T11:{i // 60 % 60:02d}:{i % 60:02d}.{b:06d}Z",
                "agent": "bench-agent",
                "session": "s-1",
                "kind": "tool_call",
                "tool": f"tool_{i % 17}",
                "action_class": "read",
                "outcome": "ok",
                "duration_ms": 1.5,
                "argument_shape": {"path": "string", "limit": "integer"},
            }
            for i in range(PER_BATCH)
        ]
        out.append(
            json.dumps({"batch_id": batch_id, "dropped_total": 0, "events": events}).encode()
        )
    return out


@dataclass
class Timing:
    """Wall and CPU seconds of the timed part of one run."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def _timed(into: Timing) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.wall, into.cpu = time.perf_counter() - wall, time.process_time() - cpu


def direct_store(db: Path, bodies: list[bytes], took: Timing) -> None:
    # Validation is outside the timing: only the inserts count (SQLite alone).
    events = [[event_from_json(e) for e in json.loads(b)["events"]] for b in bodies]
    with open_store(db) as store, _timed(took):
        for batch in events:
            store.record_events(batch, at=AT)


def file_import_path(db: Path, bodies: list[bytes], took: Timing) -> None:
    with open_store(db) as store, _timed(took):
        for body in bodies:
            store.record_events([event_from_json(e) for e in json.loads(body)["events"]], at=AT)


def ingest_no_http(db: Path, bodies: list[bytes], took: Timing) -> None:
    with open_store(db) as store, _timed(took):
        for body in bodies:
            got = ingest_batch(store, parse_json(body), "bench-agent", max_events=10_000, at=AT)
            assert got.stored == PER_BATCH and not got.rejected, got


def collector(db: Path, bodies: list[bytes], took: Timing) -> None:
    text, record = new_token("bench-agent", at=AT)
    with open_store(db) as store:
        store.save_token(record)
    settings = CollectorSettings(
        db=db, rate=RateLimit(1e9, 10**9), clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)
    )
    headers = {"Authorization": f"Bearer {text}", "Content-Type": "application/json"}
    with TestClient(create_app(settings)) as client, _timed(took):
        for body in bodies:
            r = client.post("/v1/events", content=body, headers=headers)
            assert r.status_code == 200 and r.json()["stored"] == PER_BATCH, r.text


Way = Callable[[Path, list[bytes], Timing], None]
WAYS: tuple[tuple[str, Way, int], ...] = (  # name, function, rounds
    ("direct store insert (baseline)", direct_store, ROUNDS),
    ("file import path (jsonschema)", file_import_path, 1),  # ~50x slower: one round
    ("ingest, no HTTP", ingest_no_http, ROUNDS),
    ("collector POST /v1/events", collector, ROUNDS),
)


def _run(way: Way, tag: str) -> Timing:
    took = Timing()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        open_store(db).close()  # migrations outside the timing
        way(db, _batches(tag), took)
    return took


def main() -> None:
    n = BATCHES * PER_BATCH
    runs: dict[str, list[Timing]] = {name: [] for name, _, _ in WAYS}
    for r in range(ROUNDS):
        for name, way, rounds in WAYS:
            if r < rounds:
                runs[name].append(_run(way, f"r{r}"))
    print(f"{BATCHES} batches x {PER_BATCH} events = {n} events, {ROUNDS} rounds, events/s")
    print(f"{'':<32} {'wall best':>10} {'median':>9} {'CPU best':>10}  vs baseline (paired)")
    base = runs[WAYS[0][0]]
    for name, _, _ in WAYS:
        took = runs[name]
        walls = [t.wall for t in took]
        line = f"{name:<32} {n / min(walls):>10,.0f} {n / statistics.median(walls):>9,.0f}"
        line += f" {n / min(t.cpu for t in took):>10,.0f}"
        if took is not base:
            wall = statistics.median(b.wall / t.wall for b, t in zip(base, took, strict=False))
            cpu = statistics.median(b.cpu / t.cpu for b, t in zip(base, took, strict=False))
            line += f"  {wall:.2f}x wall, {cpu:.2f}x CPU"
        print(line)
    served = n / statistics.median(t.wall for t in runs[WAYS[-1][0]])
    verdict = "met" if served >= 50_000 else "NOT met (on a loaded machine, see the CPU column)"
    print(f"target >= 50,000 events/s through the collector (median wall): {verdict}")


if __name__ == "__main__":
    main()
