"""`chainwatch rescan --worker / --enqueue / --status` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scanner._cli import main
from scanner.rescan_queue import WorkerSettings, follow_rescans
from scanner.store import PostgresURL, StoreTarget, open_sql_store
from tests.cli._clock import fixed_obj
from tests.rescan.conftest import Scanned


@pytest.fixture
def env(scanned: Scanned, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Every installer's settings name the loopback registry the store was scanned at."""
    simple = scanned.registry.url("pypi", "simple/")
    yield {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "PIP_INDEX_URL": simple,
        "UV_INDEX_URL": simple,
        "UV_DEFAULT_INDEX": simple,
        "npm_config_registry": scanned.registry.url("npm"),
    }


def _run(db: StoreTarget, env: dict[str, str], *args: str) -> Result:
    target = db.url if isinstance(db, PostgresURL) else str(db)
    return CliRunner(env=env).invoke(main, ["--db", target, *args], obj=fixed_obj())


def _status(db: StoreTarget, env: dict[str, str]) -> list[dict[str, object]]:
    result = _run(db, env, "rescan", "--status", "--format", "json")
    assert result.exit_code == 0, result.output
    runs: list[dict[str, object]] = json.loads(result.output)
    return runs


def test_a_worker_finishes_the_run_and_status_shows_it(
    scanned: Scanned, env: dict[str, str], tmp_path: Path
) -> None:
    assert _status(scanned.db, env) == []
    cache = str(tmp_path / "cli-cache")
    queued = _run(scanned.db, env, "rescan", "--enqueue")
    assert queued.exit_code == 0 and "rescan run 1 of scan 1: running" in queued.output
    worker = _run(
        scanned.db, env, "rescan", "--worker", "--worker-id", "w1", "--batch", "5",
        "--cache-dir", cache, "--fail-on", "never",
    )  # fmt: skip
    assert worker.exit_code == 0, worker.output
    total = len(scanned.purls)
    assert f"worker w1 checked {total} of {total} component(s)" in worker.output
    assert "rescan 2 of scan 1:" in worker.output  # this worker finished and recorded it
    (run,) = _status(scanned.db, env)
    assert run["state"] == "done" and run["scan"] == 2
    assert (run["done"], run["total"], run["queued"], run["leased"]) == (total, total, 0, 0)
    table = _run(scanned.db, env, "rescan", "--status")
    assert f"{total}/{total} checked, 0 given up" in table.output


def test_a_given_up_component_makes_the_worker_exit_4(
    scanned: Scanned, env: dict[str, str], tmp_path: Path
) -> None:
    with open_sql_store(scanned.db) as store:
        run, _ = store.open_rescan_run(
            scanned.scan_id, scanned.purls, at="2000-01-01T00:00:00.000000Z", max_attempts=1
        )
        store.claim_rescan_items(
            run.id,
            "gone",
            now="2000-01-01T00:00:00.000000Z",
            expires="2000-01-01T00:00:01Z",
            limit=1,
        )
    result = _run(
        scanned.db, env, "rescan", "--worker", "--cache-dir", str(tmp_path / "c"),
        "--fail-on", "never",
    )  # fmt: skip
    assert result.exit_code == 4, result.output
    assert "1 component(s) given up" in result.output
    assert _status(scanned.db, env)[0]["given_up"] == 1


def test_a_worker_without_an_open_run_says_so(scanned: Scanned, env: dict[str, str]) -> None:
    result = _run(scanned.db, env, "rescan", "--worker")
    assert result.exit_code == 0 and "no shared rescan is open" in result.output
    assert _status(scanned.db, env) == []


def test_follow_needs_worker(scanned: Scanned, env: dict[str, str]) -> None:
    result = _run(scanned.db, env, "rescan", "--follow")
    assert result.exit_code == 2 and "--follow works with --worker" in result.output


def test_a_following_worker_takes_runs_it_did_not_open(scanned: Scanned) -> None:
    waits: list[float] = []
    with open_sql_store(scanned.db) as store:
        settings = WorkerSettings(owner="f", poll=0.5, wait=waits.append)

        # Nothing queued: it waits (and, here, the wait opens a run as --enqueue would).
        def enqueue_on_wait(seconds: float) -> None:
            waits.append(seconds)
            store.open_rescan_run(
                scanned.scan_id, scanned.purls, at="2026-01-01T00:00:00.000000Z", max_attempts=3
            )

        reports = []
        done = follow_rescans(
            store,
            scanned.options,
            replace(settings, wait=enqueue_on_wait),
            runs=1,
            on_report=reports.append,
        )
        (run,) = store.rescan_runs()
    assert done == 1 and waits == [0.5]
    assert run.state == "done" and sorted(reports[0].checked) == sorted(scanned.purls)
