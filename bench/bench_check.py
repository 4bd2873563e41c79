"""`chainwatch check` on the demo fleet scaled to 1,000 components, warm cache, offline, end to end.

The fleet: the demo's research agent (a hashed requirements file, `mcp==1.9.4` among them) scaled
to 1,000 pinned, hashed packages: `mcp 1.9.4` plus 999 copies of the real `mcp-server-fetch`
registry page under bench names (bench-py-N, the same real file hashes). Advisories: the demo's
record for mcp plus one record per tenth bench package (CWBENCH-N), 101 vulnerable in all.

chainwatch: warmed once online against the loopback registry and OSV API, then timed as a fresh
process (`python -m scanner check --offline`, the imported OSV db): wall time end to end,
interpreter start included; median of REPEAT runs. It runs with the default cache folder
(XDG_CACHE_HOME in the bench's home) and so the default cache key in the user data folder, as a
user's runs do: with an explicit `--cache-dir` every run gets a key of its own and believes
nothing an earlier run verified. The check verifies every component (its warm verdict is reused
only while the cached registry page it was built from still has the same sha256, see
scanner/verify/warm.py), which pip-audit does not. The audit stage alone is timed in process as a
second figure, and a breakdown per stage (a fresh process timing each step `check` takes)
explains the end-to-end time; the floor (a process that only loads the modules the check loads)
says how much of it is loading code at all.

Baseline in the same run: pip-audit's own CLI (`pip-audit -r FILE --require-hashes --disable-pip
-s osv --osv-url LOOPBACK`) on the same hashed requirements file, against a loopback OSV API
serving the same records; warmed once, then timed the same way. Goal: chainwatch at least 10x
faster. The machine is shared: the load average is printed before and after.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner._testing.fixture_server import FixtureRegistry, default_fixture_dir  # noqa: E402
from scanner._testing.osv_server import OsvApiServer  # noqa: E402
from scanner.audit.osv_db import import_osv  # noqa: E402

COMPONENTS = 1_000
BENCH = COMPONENTS - 1  # plus mcp 1.9.4
VULNERABLE_EVERY = 10
REPEAT = 5
FETCH_HASHES = (
    "3dbcb37801a037b29d486f791328a38354f6b2a8ab54ada8064ecf7268a826bf",
    "7236b78ed80761eed4bfa834c8a541bdd4a5bc86a1b6cc3e9050e21d3870a395",
)
MCP_HASHES = (
    "7fcf36b62936adb8e63f89346bccca1268eeca9bf6dfb562ee10b1dfbda9dac0",
    "cfb0bcd1a9535b42edaef89947b9e18a8feb49362e1cc059d6e7fc636f2cb09f",
)
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def build_registry(folder: Path) -> None:
    """The fixture registry plus BENCH copies of mcp-server-fetch's page."""
    shutil.copytree(default_fixture_dir(), folder)
    manifest = json.loads((folder / "responses.json").read_text())
    page = (folder / "pypi/simple/mcp-server-fetch.json").read_text()
    for i in range(BENCH):
        name = f"bench-py-{i}"
        (folder / f"pypi/simple/{name}.json").write_text(
            page.replace("mcp-server-fetch", name).replace("mcp_server_fetch", f"bench_py_{i}")
        )
        manifest.append(
            {
                "path": f"/pypi/simple/{name}/",
                "file": f"pypi/simple/{name}.json",
                "content_type": "application/vnd.pypi.simple.v1+json",
            }
        )
    (folder / "responses.json").write_text(json.dumps(manifest))


def _entry(name: str, version: str, hashes: tuple[str, ...]) -> str:
    return f"{name}=={version} " + " ".join(f"--hash=sha256:{h}" for h in hashes)


def build_fleet(folder: Path) -> Path:
    """One agent (the demo's research agent, scaled) whose lockfile is the hashed requirements."""
    folder.mkdir()
    lines = [_entry("mcp", "1.9.4", MCP_HASHES)]
    lines += [_entry(f"bench-py-{i}", "2026.10.24", FETCH_HASHES) for i in range(BENCH)]
    (folder / "requirements.txt").write_text("\n".join(lines) + "\n")
    (folder / "chainwatch.toml").write_text(
        'version = 1\n[[agent]]\nid = "research"\nlockfiles = ["requirements.txt"]\n'
        '[policy]\nfail_on = "high"\n'
    )
    return folder


def build_records(folder: Path) -> dict[str, dict]:
    """The demo's mcp record and one CWBENCH record per tenth bench package."""
    folder.mkdir()
    demo = json.loads((ROOT / "fixtures/demo/osv/CWDEMO-2026-0001.json").read_text())
    records = {demo["id"]: demo}
    for i in range(0, BENCH, VULNERABLE_EVERY):
        rid = f"CWBENCH-{i}"
        records[rid] = {
            "schema_version": "1.6.0",
            "id": rid,
            "modified": "2026-01-01T00:00:00Z",
            "summary": "chainwatch bench record",
            "database_specific": {"severity": "HIGH"},
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": f"bench-py-{i}"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2099.1"}]}
                    ],
                }
            ],
        }
    for rid, record in records.items():
        (folder / f"{rid}.json").write_text(json.dumps(record))
    return records


CPU: dict[str, float] = {}  # median CPU seconds (user + system) per command, by its argv[0..3]


def run(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one process, end to end: the median of REPEAT runs (the machine is shared).

    Its CPU time (user + system, which a busy machine stretches less than wall time) is kept
    in CPU, the median of the same runs.
    """
    times, cpu = [], []
    for _ in range(REPEAT):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    CPU[" ".join(argv[:4])] = statistics.median(cpu)
    return statistics.median(times), done


def audit_stage_alone(fleet: Path, osv_db: Path) -> tuple[float, int]:
    """The audit stage of check in this process (offline db), without verification: seconds."""
    from scanner.audit.run import audit_stage
    from scanner.audit.setup import AuditSettings
    from scanner.inventory.build import InventoryOptions, build_inventory

    inv = build_inventory([fleet], InventoryOptions(home=fleet / "home", env={}))
    pairs = [(a.agent.id, c) for a in inv.agents for c in a.components()]
    settings = AuditSettings(offline=True, osv_db=osv_db)
    audit_stage(pairs[:10], settings)  # warm: imports, page cache
    start = time.perf_counter()
    found = audit_stage(pairs, settings)
    return time.perf_counter() - start, sum(1 for _, f in found if f.code == "CW400")


# Runs in a fresh interpreter: the check's own entry point, each step it takes wrapped in a timer.
# The steps are the library calls `chainwatch check` makes (nothing here changes what they do).
_STAGES = """
import json, sys, time
t0 = time.perf_counter()
spent = {}
def timed(owner, name, label):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
    setattr(owner, name, wrapper)
from scanner._cli import main
spent["CLI start-up imports (click, commands)"] = time.perf_counter() - t0
import scanner.inventory.build as build, scanner.scan as scan, scanner.check as check
import scanner.audit.run as audit_run
from scanner.report.json import JsonReport
spent["imports of the check library (scan, inventory, checks)"] = (
    time.perf_counter() - t0 - sum(spent.values())
)
timed(build, "build_inventory", "inventory (1,000-line requirements file)")
timed(scan, "verify_stage", "verify: warm verdicts (HMAC rows, cache entries by stat)")
timed(scan, "_risk_findings", "risk signals (release age; typosquats kept with verdicts)")
timed(audit_run, "audit_stage", "audit (offline OSV db)")
timed(check, "change_findings", "store: baseline diff")
timed(check, "check_scan", "policy judge")
timed(JsonReport, "scan", "JSON report (written)")
sys.argv = ["chainwatch", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
total = time.perf_counter() - t0
spent["other (option parsing, identity, registry uses, exit)"] = total - sum(spent.values())
print(json.dumps({"total": total, "stages": spent, "modules": list(sys.modules)}))
"""

# The floor: a fresh interpreter that only imports the modules the warm check had loaded (in the
# order it loaded them) and exits, with the collector handled as the console script handles it
# (scanner/__main__.py). What Python needs to load the code, before any work is done.
_FLOOR = """
import gc, importlib, json, sys
gc.disable()
for name in json.loads(sys.argv[1]):
    if name not in sys.modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # a module only its parent's import creates (e.g. os.path): loaded with it
gc.freeze()
"""


def breakdown(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds per stage of the warm check: the median of REPEAT fresh processes."""
    runs = []
    for _ in range(REPEAT):
        done = subprocess.run(
            [sys.executable, "-c", _STAGES, json.dumps(argv[3:])],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    bare = run([sys.executable, "-c", "pass"], env)[0]
    stages = {"interpreter start-up (python -c pass)": bare}
    for name in runs[0]["stages"]:
        stages[name] = statistics.median(r["stages"][name] for r in runs)
    modules = [m for m in runs[0]["modules"] if m != "__main__"]
    FLOOR["modules"] = len(modules)
    FLOOR["seconds"] = run([sys.executable, "-c", _FLOOR, json.dumps(modules)], env)[0]
    return stages


FLOOR: dict[str, float] = {}  # the import-only floor: seconds and module count


def print_breakdown(stages: dict[str, float], wall: float) -> None:
    """The breakdown, in ms, against the measured end-to-end wall time."""
    print(f"where the {wall * 1000:.0f} ms of the warm check go (medians, fresh processes):")
    for name, seconds in stages.items():
        print(f"  {seconds * 1000:7.1f} ms  {name}")
    print(f"  {sum(stages.values()) * 1000:7.1f} ms  sum of the stages")


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_registry(root / "registry")
        fleet = build_fleet(root / "fleet")
        records = build_records(root / "records")
        import_osv(root / "osv.db", root / "records", now="2026-11-26T00:00:00Z")
        vulnerable = {
            ("PyPI", r["affected"][0]["package"]["name"], v): (rid,)
            for rid, r in records.items()
            for v in ("2026.10.24", "1.9.4")
        }
        with (
            FixtureRegistry(root / "registry", cache_control="max-age=600") as registry,
            OsvApiServer(records, vulnerable) as osv,
        ):
            simple = registry.url("pypi", "simple/")
            env = {
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": str(ROOT),
                "HOME": str(root / "home"),
                "XDG_CONFIG_HOME": str(root / "home/.config"),
                "XDG_DATA_HOME": str(root / "home/.local/share"),
                "XDG_CACHE_HOME": str(root / "home/.cache"),
                "PIP_INDEX_URL": simple,
                "UV_INDEX_URL": simple,
                "UV_DEFAULT_INDEX": simple,
            }
            check = [sys.executable, "-m", "scanner", "--db", str(root / "cw.db"), "check"]
            check += [str(fleet), "--no-record"]
            check += ["--format", "json", "-o", str(root / "check.json")]
            start = time.perf_counter()
            warm = subprocess.run(
                [*check, "--osv-url", osv.base_url], env=env, capture_output=True, text=True
            )
            warm_t = time.perf_counter() - start
            served = len(registry.requests)
            offline = [*check, "--offline", "--osv-db", str(root / "osv.db")]
            # The warm-up wrote the cache entries just now, and files younger than 2 s get no
            # stamp (scanner/verify/warm_files.py, racy stamps): one offline run after that
            # stamps them, as the next check of any cache does. The timed runs that follow are
            # the steady state of a warm cache.
            time.sleep(2.1)
            subprocess.run(offline, env=env, capture_output=True, text=True, check=False)
            load_before = os.getloadavg()[0]
            t_check, done = run(offline, env)
            cpu_check = CPU[" ".join(offline[:4])]
            offline_requests = len(registry.requests) - served
            doc = json.loads((root / "check.json").read_text())
            ours = sorted(
                (f["subject"], f["evidence"]["advisory"])
                for f in doc["findings"]
                if f["code"] == "CW400"
            )

            audit = [str(PIP_AUDIT), "-r", str(fleet / "requirements.txt"), "--require-hashes"]
            audit += ["--disable-pip", "-s", "osv", "--osv-url", f"{osv.base_url}/query"]
            audit += ["--cache-dir", str(root / "pip-audit-cache"), "--progress-spinner", "off"]
            audit += ["-f", "json", "-o", str(root / "pip-audit.json")]
            run(audit, env)  # warm: its cache
            t_audit, audited = run(audit, env)
            cpu_audit = CPU[" ".join(audit[:4])]
            stages = breakdown(offline, env)
            theirs = json.loads((root / "pip-audit.json").read_text())
            found = sorted(
                (d["name"], v["id"]) for d in theirs["dependencies"] for v in d.get("vulns", [])
            )

        print(f"fleet: {len(doc['components'])} components (hashed requirements file)")
        print(
            f"warm-up (online, loopback registry + OSV API): {warm_t:.2f} s, exit {warm.returncode}"
        )
        print(
            f"chainwatch check, warm cache, offline, end to end: {t_check:.3f} s wall, "
            f"exit {done.returncode}, {offline_requests} registry requests, "
            f"{len(ours)} CW400 findings; target 2 s: {'met' if t_check < 2 else 'MISSED'}"
        )
        print(
            f"pip-audit CLI, same requirements file, loopback OSV: {t_audit:.3f} s wall, "
            f"exit {audited.returncode}, {len(found)} vulnerabilities"
        )
        print(f"same advisories found: {len(ours) == len(found)} ({len(ours)} vs {len(found)})")
        t_stage, stage_found = audit_stage_alone(fleet, root / "osv.db")
        print(
            f"chainwatch audit stage alone (in process, offline db, no verification): "
            f"{t_stage:.3f} s, {stage_found} CW400; ratio to pip-audit {t_audit / t_stage:.0f}x"
        )
        print_breakdown(stages, t_check)
        print(
            f"floor: a fresh process importing the {FLOOR['modules']:.0f} modules the check "
            f"loads, doing nothing else: {FLOOR['seconds'] * 1000:.0f} ms wall; 10x pip-audit "
            f"would need {t_audit / 10 * 1000:.0f} ms in all"
        )
        print(
            f"load average before / after the timed runs: {load_before:.1f} / "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            f"CPU time (user + system, medians): chainwatch {cpu_check:.3f} s, pip-audit "
            f"{cpu_audit:.3f} s: {cpu_audit / cpu_check:.1f}x (less stretched by the load)"
        )
        ratio = t_audit / t_check
        print(
            f"ratio: chainwatch check is {ratio:.1f}x faster "
            f"(goal 10x: {'met' if ratio >= 10 else 'MISSED'})"
        )
        if done.returncode not in (0, 1):
            print(done.stderr[-2000:])


if __name__ == "__main__":
    main()
