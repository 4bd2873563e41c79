"""Start-up stays instant: heavy dependencies load only in the commands that need them.

The time itself is measured in bench/bench_startup.py; here, which modules a fresh interpreter
has loaded after each entry point (a structural fact, not a timing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

HEAVY = ("sigstore", "pypi_attestations", "tuf", "httpx", "sqlite_utils", "rich", "pydantic")

_PROBE = """
import json, sys
watched = set(json.loads(sys.argv[2]))
sys.argv = ["chainwatch", *json.loads(sys.argv[1])]
from scanner._cli import main
try:
    main()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & watched)
print("LOADED=" + json.dumps(heavy), file=sys.stderr)
"""


def _loaded_after(args: list[str], cwd: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "HOME": str(cwd), "PATH": ""},
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
