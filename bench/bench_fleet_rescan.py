"""Rescan workers sharing one PostgreSQL store: 20,000 components, one worker vs four (one killed).

The components are the loopback fixture registry's real recordings copied under bench names
(bench-py-N from mcp-server-fetch, bench-js-N from zod, as bench_scan does), served with 50 ms
of latency per request (a registry across a network). The store holds one recorded scan of
them; each run checks all of them again in a fresh copy of that store:
1. baseline: one worker process;
2. four worker processes;
3. four worker processes, one killed (SIGKILL) a third of the way through: its leases expire
   (--lease) and the others take its components over.
Checked, not assumed: every component ends done, each exactly once (workers report what they
recorded; the killed worker's share is what nobody else recorded, all on the first attempt),
and the killed worker's leased components were taken over (second attempt). Workers are
separate processes with caches of their own, as on separate machines; the clock is the
fixtures' moment moving on in real time, so verification gives the same answers on any date.

    python bench/bench_fleet_rescan.py [--components 20000] [--lease 20] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner._testing.fixture_server import FixtureRegistry, default_fixture_dir  # noqa: E402
from scanner._testing.postgres_server import PostgresServer, find_bindir  # noqa: E402
from scanner.demo import recorded_at  # noqa: E402
from scanner.inventory.build import InventoryOptions, build_inventory  # noqa: E402
from scanner.models import Inventory  # noqa: E402
from scanner.registry.config import RegistryConfig  # noqa: E402
from scanner.rescan_queue import WorkerSettings, work_rescan  # noqa: E402
from scanner.scan import ScanOptions, unique_components  # noqa: E402
from scanner.store import open_sql_store  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WORKER_BATCH = 100


def build_registry(folder: Path, per_ecosystem: int) -> None:
    """The fixture registry plus ``per_ecosystem`` copies of a PyPI and an npm page."""
    shutil.copytree(default_fixture_dir(), folder)
    manifest = json.loads((folder / "responses.json").read_text())
    py = (folder / "pypi/simple/mcp-server-fetch.json").read_text()
    js = (folder / "npm/zod.json").read_text()
    for i in range(per_ecosystem):
        name = f"bench-py-{i}"
        (folder / f"pypi/simple/{name}.json").write_text(
            py.replace("mcp-server-fetch", name).replace("mcp_server_fetch", name.replace("-", "_"))
        )
        manifest.append(
            {
                "path": f"/pypi/simple/{name}/",
                "file": f"pypi/simple/{name}.json",
                "content_type": "application/vnd.pypi.simple.v1+json",
            }
        )
        name = f"bench-js-{i}"
        (folder / f"npm/{name}.json").write_text(
            js.replace('"zod', f'"{name}').replace("/zod", f"/{name}")
        )
        manifest.append(
            {"path": f"/npm/{name}", "file": f"npm/{name}.json", "content_type": "application/json"}
        )
    (folder / "responses.json").write_text(json.dumps(manifest))


def build_inventory_of(folder: Path, per_ecosystem: int) -> Inventory:
    """A fleet config with one server per bench package, inventoried."""
    servers = {f"py{i}": ["uvx", f"bench-py-{i}==2026.10.24"] for i in range(per_ecosystem)}
    servers |= {f"js{i}": ["npx", "-y", f"bench-js-{i}@4.6.7"] for i in range(per_ecosystem)}
    config = {"mcpServers": {n: {"command": a[0], "args": a[1:]} for n, a in servers.items()}}
    folder.mkdir()
    path = folder / "claude_desktop_config.json"
    path.write_text(json.dumps(config))
    return build_inventory([path], InventoryOptions(home=folder / "home", env={}))


def as_worker(argv: list[str]) -> None:
    """One worker process: work on the open run; print what it recorded (JSON)."""
    url, simple, json_api, npm, cache, owner, lease, epoch = argv
    sources = (("pypi", "bench registry"), ("npm", "bench registry"))
    moment, start = recorded_at(), float(epoch)
    options = ScanOptions(
        registry_config=RegistryConfig(simple, npm, json_api, sources=sources),
        cache_dir=Path(cache),
        clock=lambda: moment + timedelta(seconds=time.time() - start),
    )
    settings = WorkerSettings(owner=owner, lease=float(lease), batch=WORKER_BATCH, poll=0.5)
    with open_sql_store(url) as store:
        report = work_rescan(store, options, settings)  # joins the run the bench opened
    if report is None:
        raise SystemExit(f"{owner}: no open run")
    doc = {"owner": owner, "checked": report.checked, "finished": report.finished is not None}
    print(json.dumps(doc))


def one_run(
    url: str,
    registry: FixtureRegistry,
    workers: int,
    kill_at: float | None,
    lease: float,
    tmp: Path,
) -> dict[str, object]:
    """Start ``workers`` processes on the store's open run; kill one at ``kill_at``; figures."""
    config = registry.config()
    epoch = time.time()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = {
        f"w{n}": subprocess.Popen(
            [sys.executable, __file__, "--as-worker", url, config.pypi_simple]
            + [config.pypi_json or "", config.npm, str(tmp / f"cache-{n}-{epoch}"), f"w{n}"]
            + [str(lease), str(epoch)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    }
    start = time.perf_counter()
    killed: dict[str, set[str]] = {}
    with open_sql_store(url) as store:
        run_id = store.open_rescan_runs()[0].id
        total = store.rescan_progress(run_id).run.total
        while kill_at is not None and not killed:
            progress = store.rescan_progress(run_id)
            if progress.run.state == "done" or all(p.poll() is not None for p in procs.values()):
                break  # finished before the moment to kill came: reported as not killed
            if progress.finished_items >= kill_at * total and "w0" in progress.workers:
                held = store.rows(
                    "SELECT purl FROM rescan_items WHERE run_id = ? AND state = 'leased'"
                    " AND lease_owner = 'w0'",
                    [run_id],
                )
                procs["w0"].send_signal(signal.SIGKILL)
                killed["w0"] = {str(r["purl"]) for r in held}
            time.sleep(0.2)
    reports = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=7200)
        if name in killed:
            continue
        if proc.returncode != 0:
            raise RuntimeError(f"worker {name} failed: {err[-2000:]}")
        reports[name] = json.loads(out.strip().splitlines()[-1])
    wall = time.perf_counter() - start
    with open_sql_store(url) as store:
        outcomes = store.rescan_outcomes(run_id)
        run = store.rescan_runs()[0]
    recorded = [p for r in reports.values() for p in r["checked"]]
    by_killed = {o.purl for o in outcomes} - set(recorded)
    held = next(iter(killed.values()), set())
    attempts = {o.purl: o.attempts for o in outcomes}
    return {
        "workers": workers,
        "killed": bool(killed),
        "wall": wall,
        "total": total,
        "done": sum(o.state == "done" for o in outcomes),
        "twice_recorded": len(recorded) - len(set(recorded)),
        "by_killed": len(by_killed),
        "killed_first_attempt": all(attempts[p] == 1 for p in by_killed),
        "held_at_kill": len(held),
        "held_taken_over": all(attempts[p] == 2 and p in recorded for p in held),
        "finishers": sum(bool(r["finished"]) for r in reports.values()),
        "run_state": run.state,
        "per_worker": {n: len(r["checked"]) for n, r in reports.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=20_000)
    parser.add_argument("--lease", type=float, default=20.0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--as-worker", nargs=8)
    args = parser.parse_args()
    if args.as_worker:
        as_worker(args.as_worker)
        return
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    per = args.components // 2
    print(f"cpus {os.cpu_count()}, load average before {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name, PostgresServer.running(bindir) as server:
        tmp = Path(tmp_name)
        build_registry(tmp / "registry", per)
        inventory = build_inventory_of(tmp / "fleet", per)
        purls = [c.purl for c in unique_components(inventory)]
        if len(purls) != 2 * per:
            sys.exit(f"the bench fleet has {len(purls)} components, not {2 * per}")
        results = []
        with FixtureRegistry(tmp / "registry", latency=args.latency) as registry:
            for workers, kill_at in ((1, None), (4, None), (4, 1 / 3)):
                url = server.database()
                with open_sql_store(url) as store:  # the scan to check again (recorded as is)
                    store.record_scan(
                        kind="scan", started_at="2026-03-01T00:00:00+00:00",
                        finished_at="2026-03-01T00:00:00+00:00", inputs={}, inventory=inventory,
                    )  # fmt: skip
                    store.open_rescan_run(
                        1, purls, at="2026-03-01T00:00:00.000000Z", max_attempts=3
                    )
                before = len(registry.requests)
                result = one_run(url, registry, workers, kill_at, args.lease, tmp)
                result["requests"] = len(registry.requests) - before
                results.append(result)
                print(json.dumps(result), flush=True)
    print(f"load average after {os.getloadavg()}")
    base = results[0]["wall"]
    for r in results:
        ok = (
            r["done"] == r["total"] == len(purls)
            and r["twice_recorded"] == 0
            and r["finishers"] == 1
            and r["run_state"] == "done"
            and (not r["killed"] or (r["killed_first_attempt"] and r["held_taken_over"]))
        )
        label = f"{r['workers']} worker(s){', one killed' if r['killed'] else ''}"
        print(
            f"{label:<26} {r['wall']:8.1f} s  {r['total'] / r['wall']:7.1f} components/s"
            f"  ratio to one worker {base / r['wall']:.2f}x  done {r['done']}/{r['total']}"
            f"  recorded twice {r['twice_recorded']}  requests {r['requests']}"
            + (
                f"  killed worker: {r['by_killed']} done before, {r['held_at_kill']} held,"
                f" taken over: {r['held_taken_over']}"
                if r["killed"]
                else ""
            )
            + f"  {'CHECKS PASS' if ok else 'CHECKS FAIL'}"
        )


if __name__ == "__main__":
    main()
