"""Real processes opening one fresh store at the same moment: every one must succeed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scanner.store.migrations import MIGRATIONS
from tests.conftest import REPO

PROCESSES = 24
ROUNDS = 3  # three fresh stores: the race is at creation time
# Each child imports, says it is ready, waits for the start file, then opens the store.
CHILD = """
import sys, time
from pathlib import Path
ready, start, db = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
from scanner.store import open_store, Store
ready.touch()
while not start.exists():
    time.sleep(0.0005)
open_store(db).close()
"""


def _round(tmp_path: Path, n: int, env: dict[str, str]) -> list[str]:
    db = tmp_path / f"fresh{n}" / "cw.db"
    start = tmp_path / f"go{n}"
    ready = [tmp_path / f"ready{n}-{i}" for i in range(PROCESSES)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(r), str(start), str(db)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in ready
    ]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    start.touch()
    failures = []
    for child in children:
        _, err = child.communicate(timeout=120)
        if child.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else "no output")
    with sqlite3.connect(db) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert sorted(versions) == [v for v, _ in MIGRATIONS]  # every migration exactly once
    return failures


def test_concurrent_first_opens_of_a_new_store_all_succeed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    failures = [f for n in range(ROUNDS) for f in _round(tmp_path, n, env)]
    assert failures == [], f"{len(failures)} of {PROCESSES * ROUNDS} opens failed: {failures[:3]}"
