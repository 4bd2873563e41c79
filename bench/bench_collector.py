"""Collector ingest into SQLite: batches of 1,000 events through the app vs direct store inserts.

Four ways in the same run, each into its own fresh SQLite file, ROUNDS rounds each (best and
median printed; the machine may be shared, so compare ratios within one run):
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
from collections.abc import Callable
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


def direct_store(db: Path, bodies: list[bytes]) -> None:
    events = [[event_from_json(e) for e in json.loads(b)["events"]] for b in bodies]
    with open_store(db) as store:
        start = time.perf_counter()
        for batch in events:
            store.record_events(batch, at=AT)
        # Only the inserts count: validation is measured by the next way.
        direct_store.elapsed = time.perf_counter() - start  # type: ignore[attr-defined]


def file_import_path(db: Path, bodies: list[bytes]) -> None:
    with open_store(db) as store:
        start = time.perf_counter()
        for body in bodies:
            store.record_events([event_from_json(e) for e in json.loads(body)["events"]], at=AT)
        file_import_path.elapsed = time.perf_counter() - start  # type: ignore[attr-defined]


def ingest_no_http(db: Path, bodies: list[bytes]) -> None:
    with open_store(db) as store:
        start = time.perf_counter()
        for body in bodies:
            got = ingest_batch(store, parse_json(body), "bench-agent", max_events=10_000, at=AT)
            assert got.stored == PER_BATCH and not got.rejected, got
        ingest_no_http.elapsed = time.perf_counter() - start  # type: ignore[attr-defined]


def collector(db: Path, bodies: list[bytes]) -> None:
    text, record = new_token("bench-agent", at=AT)
    with open_store(db) as store:
        store.save_token(record)
    settings = CollectorSettings(
        db=db, rate=RateLimit(1e9, 10**9), clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)
    )
    headers = {"Authorization": f"Bearer {text}", "Content-Type": "application/json"}
    with TestClient(create_app(settings)) as client:
        start = time.perf_counter()
        for body in bodies:
            r = client.post("/v1/events", content=body, headers=headers)
            assert r.status_code == 200 and r.json()["stored"] == PER_BATCH, r.text
        collector.elapsed = time.perf_counter() - start  # type: ignore[attr-defined]


def _rounds(run: Callable[[Path, list[bytes]], None], rounds: int = ROUNDS) -> list[float]:
    """The time the function itself measured (set-up excluded), per round."""
    took = []
    for r in range(rounds):
        bodies = _batches(f"r{r}")
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            open_store(db).close()  # migrations outside the timing
            run(db, bodies)
            took.append(run.elapsed)  # type: ignore[attr-defined]
    return took


def main() -> None:
    n = BATCHES * PER_BATCH
    base = _rounds(direct_store)
    ways = (
        ("file import path (jsonschema)", _rounds(file_import_path, rounds=1)),
        ("ingest, no HTTP", _rounds(ingest_no_http)),
        ("collector POST /v1/events", _rounds(collector)),
    )
    print(f"{BATCHES} batches x {PER_BATCH} events = {n} events; events/s best (median) of rounds")
    best, mid = min(base), statistics.median(base)
    print(f"{'direct store insert (baseline)':<32} {n / best:>9,.0f} ({n / mid:>9,.0f})")
    for name, took in ways:
        fast, med = min(took), statistics.median(took)
        print(
            f"{name:<32} {n / fast:>9,.0f} ({n / med:>9,.0f})  "
            f"{best / fast:.2f}x ({mid / med:.2f}x) baseline"
        )
    served = statistics.median(ways[-1][1])
    verdict = "met" if n / served >= 50_000 else "NOT met"
    print(f"target >= 50,000 events/s through the collector (median): {verdict}")


if __name__ == "__main__":
    main()
