"""Many collectors, one store: `chainwatch serve` processes ingesting 1,000 agents' events at once.

1. PostgreSQL: a server of its own (Debian's binaries, a temporary data folder, loopback port;
   durability settings back on: fsync, synchronous_commit, full_page_writes), three
   `chainwatch serve` processes, client processes posting every agent's batches round-robin to
   the three (an agent's batches land on different collectors, concurrently).
2. Baseline in the same run: the same events through one `chainwatch serve` into SQLite.
Each backend then gets a tenth of a percent of the batches again on another collector (a
retried POST): all must come back as duplicates. Checked, not assumed: count sent = count
stored, every agent has all its events, and each agent's events read back (store API, time
order) in the order they were sent. Target (issue 12): >= 50,000 events/s into PostgreSQL.
The machine's load is printed: the figures are only as good as the share of CPU we got.

    python bench/bench_fleet_ingest.py [--agents 1000] [--per-agent 1000] [--clients 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner._testing.postgres_server import PostgresServer, find_bindir  # noqa: E402
from scanner.collector.tokens import new_token  # noqa: E402
from scanner.store import open_sql_store  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PER_BATCH = 500
AT = "2026-03-01T00:00:00+00:00"
THREADS = 4  # connections per client process
RETRIES: list[int] = []  # POSTs sent again after a lost connection (per client process)


@dataclass(frozen=True)
class Load:
    """Who sends what: agents with their tokens, split among client processes."""

    agents: list[tuple[str, str]]  # (agent, bearer token)
    per_agent: int


def _time(ordinal: int) -> str:
    # One event per second of an agent's clock: time order is send order.
    minutes, seconds = divmod(ordinal, 60)
    hours, minutes = divmod(minutes, 60)
    return f"2026-03-01T{hours:02d}:{minutes:02d}:{seconds:02d}.000Z"


def _bodies(agents: list[tuple[str, str]], per_agent: int) -> list[tuple[str, str, bytes]]:
    """(token, batch id, body) of every batch of these agents, agents interleaved."""
    out = []
    for b in range(per_agent // PER_BATCH):
        for agent, token in agents:
            batch_id = f"{agent}-b{b:04d}"
            events = [
                {
                    "schema": "chainwatch.event/1",
                    "batch_id": batch_id,
                    "seq": i,
                    "time": _time(b * PER_BATCH + i),
                    "agent": agent,
                    "session": f"{agent}-s",
                    "kind": "tool_call",
                    "tool": f"tool_{i % 17}",
                    "action_class": "read",
                    "outcome": "ok",
                    "duration_ms": 1.5,
                    "argument_shape": {"path": "string", "limit": "integer"},
                }
                for i in range(PER_BATCH)
            ]
            body = json.dumps({"batch_id": batch_id, "dropped_total": 0, "events": events})
            out.append((token, batch_id, body.encode()))
    return out


def _post(conn: http.client.HTTPConnection, token: str, body: bytes) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for attempt in range(5):
        try:
            conn.request("POST", "/v1/events", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            break
        except (ConnectionError, http.client.HTTPException):
            # The collector closed an idle keep-alive connection (uvicorn: after 5 s), or the
            # answer was lost: send the same batch again, as the hook does. Its id makes a
            # batch that did land count as duplicates, not as new events.
            conn.close()
            RETRIES.append(attempt)
    else:
        raise RuntimeError("the collector could not be reached 5 times in a row")
    if response.status != 200:
        raise RuntimeError(f"collector answered {response.status}: {data[:200]!r}")
    doc = json.loads(data)
    return {"stored": doc["stored"], "duplicates": doc["duplicates"]}


def client(
    agents: list[tuple[str, str]],
    per_agent: int,
    ports: list[int],
    ready: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue[tuple[int, int, float, int]],
) -> None:
    """Post these agents' batches over THREADS connections, spread over the collectors."""
    bodies = _bodies(agents, per_agent)
    stored = duplicates = 0
    lock = threading.Lock()
    index = iter(range(len(bodies)))

    def sender(n: int) -> None:
        nonlocal stored, duplicates
        conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=300) for p in ports]
        mine_stored = mine_dup = 0
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                break
            token, _, body = bodies[i]
            got = _post(conns[(i + n) % len(conns)], token, body)
            mine_stored += got["stored"]
            mine_dup += got["duplicates"]
        with lock:
            stored += mine_stored
            duplicates += mine_dup

    ready.wait()
    start = time.perf_counter()
    threads = [threading.Thread(target=sender, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((stored, duplicates, time.perf_counter() - start, len(RETRIES)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def collectors(target: str, count: int) -> Iterator[list[int]]:
    """``count`` `chainwatch serve` processes on one store; their ports."""
    ports = [_free_port() for _ in range(count)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "CHAINWATCH_DB": target}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scanner", "serve", "--port", str(p), "-q"]
            + ["--rate", "1000000", "--burst", "1000000", "--max-body", str(64 * 1024 * 1024)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for p in ports
    ]
    try:
        for port, proc in zip(ports, procs, strict=True):
            deadline = time.monotonic() + 120
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        err = proc.stderr.read().decode() if proc.stderr else ""
                        raise RuntimeError(f"collector on {port} did not start: {err}") from None
                    time.sleep(0.1)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)


def run(target: str, n_collectors: int, agents: int, per_agent: int, n_clients: int) -> dict:
    """Ingest the load through ``n_collectors`` into ``target``; figures and checks."""
    with open_sql_store(target) as store:
        tokens = []
        for a in range(agents):
            text, record = new_token(f"agent-{a:05d}", at=AT)
            store.save_token(record)
            tokens.append((record.agent, text))
    ctx = multiprocessing.get_context("fork")
    with collectors(target, n_collectors) as ports:
        ready = ctx.Barrier(n_clients + 1)
        results: multiprocessing.Queue[tuple[int, int, float, int]] = ctx.Queue()
        shares = [tokens[i::n_clients] for i in range(n_clients)]
        procs = [
            ctx.Process(target=client, args=(share, per_agent, ports, ready, results))
            for share in shares
        ]
        for p in procs:
            p.start()
        ready.wait()  # every client has built its bodies: only sending is timed
        start = time.perf_counter()
        got = [results.get(timeout=3600) for _ in procs]
        wall = time.perf_counter() - start
        for p in procs:
            p.join()
        # A retried POST on another collector: every event a duplicate, none stored.
        again = _bodies(tokens[: max(1, agents // 1000)], PER_BATCH)
        retry_dup = retry_stored = 0
        for i, (token, _, body) in enumerate(again):
            conn = http.client.HTTPConnection("127.0.0.1", ports[(i + 1) % len(ports)])
            answer = _post(conn, token, body)
            retry_dup += answer["duplicates"]
            retry_stored += answer["stored"]
    sent = agents * per_agent
    with open_sql_store(target) as store:
        stored = store.count("runtime_events")
        (per,) = store.rows(
            "SELECT count(*) AS agents, min(n) AS least, max(n) AS most FROM"
            " (SELECT agent, count(*) AS n FROM runtime_events GROUP BY agent) AS c"
        )
        (disorder,) = store.rows(
            "SELECT count(*) AS n FROM (SELECT time, lag(time) OVER (PARTITION BY agent"
            " ORDER BY batch_id, seq) AS prev FROM runtime_events) AS w WHERE prev >= time"
        )
        sample = [f"agent-{a:05d}" for a in range(0, agents, max(1, agents // 20))]
        reads_in_order = all(
            [(e.batch_id, e.seq) for e in store.runtime_events(agent=a, limit=per_agent)]
            == [
                (f"{a}-b{b:04d}", s)
                for b in range(per_agent // PER_BATCH)
                for s in range(PER_BATCH)
            ]
            for a in sample
        )
    return {
        "sent": sent,
        "acknowledged_stored": sum(g[0] for g in got),
        "acknowledged_duplicates": sum(g[1] for g in got),
        "resent": sum(g[3] for g in got),
        "stored": stored,
        "agents": per["agents"],
        "per_agent": (per["least"], per["most"]),
        "out_of_order": disorder["n"],
        "sample_reads_in_order": reads_in_order,
        "retry": (retry_stored, retry_dup),
        "wall": wall,
        "rate": sent / wall,
    }


def _report(name: str, r: dict) -> None:
    ok = (
        r["stored"] == r["sent"] == r["acknowledged_stored"]
        and r["per_agent"][0] == r["per_agent"][1]
        and r["out_of_order"] == 0
        and r["sample_reads_in_order"]
        and r["retry"][0] == 0
    )
    print(
        f"{name:<34} {r['rate']:>10,.0f} events/s  {r['wall']:7.1f} s  sent {r['sent']:,}"
        f" stored {r['stored']:,}  agents {r['agents']} x {r['per_agent'][0]}..{r['per_agent'][1]}"
        f"  out of order {r['out_of_order']}  resent after a lost connection {r['resent']}"
        f" (duplicates acknowledged {r['acknowledged_duplicates']})"
        f"  retried batch: stored {r['retry'][0]},"
        f" duplicates {r['retry'][1]}  {'CHECKS PASS' if ok else 'CHECKS FAIL'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--per-agent", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=3)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    print(f"cpus {os.cpu_count()}, load average before {os.getloadavg()}")
    with PostgresServer.running(bindir) as server:
        url = server.database()
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:  # durable, as in production
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(f"ALTER SYSTEM SET {setting} = on")
            conn.execute("SELECT pg_reload_conf()")
        pg = run(url, 3, args.agents, args.per_agent, args.clients)
    load_pg = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        lite = run(str(Path(tmp) / "cw.db"), 1, args.agents, args.per_agent, args.clients)
    print(f"load average after: PostgreSQL run {load_pg}, SQLite run {os.getloadavg()}")
    _report("PostgreSQL, 3 collectors", pg)
    _report("SQLite, 1 collector (baseline)", lite)
    print(f"ratio PostgreSQL x3 / SQLite x1: {pg['rate'] / lite['rate']:.2f}x")
    print(
        f"target >= 50,000 events/s into PostgreSQL: {'met' if pg['rate'] >= 50_000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
