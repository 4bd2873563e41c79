"""Start-up stays instant: heavy dependencies load only in the commands that need them.

The time itself is measured in bench/bench_startup.py; here, which modules a fresh interpreter
has loaded after each entry point (a structural fact, not a timing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scanner._testing.fixture_server import FixtureRegistry
from scanner.audit.osv_db import import_osv
from scanner.demo import recorded_at
from tests.conftest import FIXTURES, REPO

RECORDED = recorded_at().isoformat()  # the fixtures' own moment, never today's date
HEAVY = ("sigstore", "pypi_attestations", "tuf", "httpx", "sqlite_utils", "rich", "pydantic")

_PROBE = """
import json, os, sys
from datetime import datetime
watched = set(json.loads(sys.argv[2]))
sys.argv = ["chainwatch", *json.loads(sys.argv[1])]
from scanner._cli import main
# A fixed clock when given (never today's date in a test that verifies).
at = os.environ.get("PROBE_CLOCK")
obj = {"clock": lambda: datetime.fromisoformat(at)} if at else None
try:
    main(obj=obj)
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & watched)
print("LOADED=" + json.dumps(heavy), file=sys.stderr)
"""


def _loaded_after(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "HOME": str(cwd), "PATH": "", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED="))
    loaded: list[str] = json.loads(line.removeprefix("LOADED="))
    return loaded


def test_version_loads_no_heavy_dependency(tmp_path: Path) -> None:
    assert _loaded_after(["--version"], tmp_path) == []


def test_inventory_loads_neither_sigstore_nor_httpx(tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps({"mcpServers": {"a": {"command": "npx", "args": ["x@1.0.0"]}}}))
    loaded = _loaded_after(["--db", str(tmp_path / "cw.db"), "inventory", str(config)], tmp_path)
    assert (tmp_path / "cw.db").stat().st_size > 0  # the command did run and record
    assert not {"sigstore", "pypi_attestations", "tuf", "httpx"} & set(loaded)


def test_a_warm_offline_check_loads_no_verifier_no_http_and_no_rich(tmp_path: Path) -> None:
    # The second run finds every verdict warm: sigstore, httpx, pydantic and the registry
    # parsers are never imported, nor rich (no progress bar in JSON) nor sqlite-utils.
    page = json.loads((FIXTURES / "registry/pypi/simple/pypi-attestations.json").read_text())
    sha = next(f["hashes"]["sha256"] for f in page["files"] if f["filename"].endswith(".tar.gz"))
    (tmp_path / "requirements.txt").write_text(f"pypi-attestations==0.0.19 --hash=sha256:{sha}\n")
    (tmp_path / "chainwatch.toml").write_text(
        'version = 1\n[[agent]]\nid = "a"\nlockfiles = ["requirements.txt"]\n'
    )
    osv = tmp_path / "osv.db"
    import_osv(osv, FIXTURES / "demo/osv", now="2026-11-26T00:00:00Z")
    db = ["--db", str(tmp_path / "cw.db")]
    with FixtureRegistry() as registry:
        env = {"PIP_INDEX_URL": registry.url("pypi", "simple/"), "PROBE_CLOCK": RECORDED}
        cold = _loaded_after([*db, "scan", str(tmp_path), "--no-record"], tmp_path, env)
        assert "sigstore" in cold  # the first run did verify in full
        served = len(registry.requests)
        check = ["check", str(tmp_path), "--offline", "--osv-db", str(osv), "--no-record"]
        out = ["--format", "json", "-o", str(tmp_path / "check.json")]
        warm = _loaded_after([*db, *check, *out], tmp_path, env)
        assert len(registry.requests) == served
    assert warm == []
    doc = json.loads((tmp_path / "check.json").read_text())
    assert [c["status"] for c in doc["components"]] == ["verified"]
