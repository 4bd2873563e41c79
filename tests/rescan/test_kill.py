"""A real worker process killed (SIGKILL) mid-run: another worker completes its components."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from scanner._testing.fixture_server import FixtureRegistry
from scanner.rescan_queue import WorkerSettings, work_rescan
from scanner.store import PostgresURL, open_sql_store
from tests.conftest import REPO
from tests.rescan._worker_proc import moving_clock
from tests.rescan.conftest import Scanned

LEASE = 3.0  # seconds: short, so the test waits little for the dead worker's leases


def _wait_until_busy(scanned: Scanned, victim: subprocess.Popen[str]) -> set[str]:
    """Wait until the victim has finished some components and holds leases on others."""
    deadline = time.monotonic() + 120
    with open_sql_store(scanned.db) as store:
        while time.monotonic() < deadline:
            assert victim.poll() is None, victim.communicate()
            runs = store.rescan_runs()
            if runs:
                progress = store.rescan_progress(runs[0].id)
                if progress.done >= 2 and progress.workers == ("victim",):
                    held = store.rows(
                        "SELECT purl FROM rescan_items WHERE lease_owner = 'victim'"
                        " AND state = 'leased'"
                    )
                    return {str(r["purl"]) for r in held}
            time.sleep(0.02)
    raise AssertionError("the victim worker never got busy")


def test_killing_a_worker_mid_run_loses_nothing(scanned: Scanned, tmp_path: Path) -> None:
    epoch = time.time()
    # Slow answers (0.2 s each): the victim is certainly in the middle of a batch when killed.
    with FixtureRegistry(latency=0.2) as slow:
        config = slow.config()
        victim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.rescan._worker_proc",
                scanned.db.url if isinstance(scanned.db, PostgresURL) else str(scanned.db),
                config.pypi_simple,
                config.pypi_json,
                config.npm,
                str(tmp_path / "victim-cache"),
                "victim",
                str(LEASE),
                str(epoch),
            ],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            held = _wait_until_busy(scanned, victim)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.communicate(timeout=60)
        assert held and victim.returncode == -signal.SIGKILL
        options = replace(scanned.options, clock=lambda: moving_clock(epoch))
        settings = WorkerSettings(owner="survivor", lease=LEASE, batch=2, poll=0.1)
        with open_sql_store(scanned.db) as store:
            report = work_rescan(store, options, settings)  # joins the victim's run
            assert report is not None
            outcomes = {o.purl: o for o in store.rescan_outcomes(report.run_id)}
            kinds = [s.kind for s in store.scans()]
    assert report.finished is not None and kinds == ["rescan", "scan"]
    assert set(outcomes) == set(scanned.purls)
    assert all(o.state == "done" and o.result for o in outcomes.values())  # nothing lost
    # What the victim held when it died was taken over (a second attempt) by the survivor ...
    for purl in held:
        assert purl in report.checked and outcomes[purl].attempts == 2
    # ... and what it had finished was not checked again.
    by_victim = set(scanned.purls) - set(report.checked)
    assert by_victim and all(outcomes[p].attempts == 1 for p in by_victim)
    assert len(report.checked) == len(set(report.checked))
