"""Rescan workers as a library, on SQLite and PostgreSQL: once per component, take-overs, finish."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from attestations.result import Status
from scanner.rescan_queue import WorkerReport, WorkerSettings, work_rescan
from scanner.rescan_queue.codec import verdict_from_json, verdict_to_json
from scanner.rescan_queue.worker import stamp
from scanner.rescans import rescan
from scanner.scan import run_scan
from scanner.store import open_sql_store
from tests.rescan.conftest import Scanned


def _findings(scanned: Scanned, scan_id: int) -> list[tuple[str, str, str]]:
    with open_sql_store(scanned.db) as store:
        rows = store.rows(
            "SELECT code, subject, agent_id FROM findings WHERE scan_id = ?", [scan_id]
        )
        return sorted((r["code"], r["subject"], r["agent_id"] or "") for r in rows)


def test_one_worker_checks_every_component_once_and_records_what_rescan_would(
    scanned: Scanned,
) -> None:
    with open_sql_store(scanned.db) as store:
        settings = WorkerSettings(owner="solo", batch=4)
        report = work_rescan(store, scanned.options, settings, enqueue=True)
        assert report is not None
        outcomes = store.rescan_outcomes(report.run_id)
        plain = rescan(store, scanned.options)
        run = store.rescan_runs()[0]
    assert report.finished is not None and report.finished.result.scan_id is not None
    assert sorted(report.checked) == sorted(scanned.purls) and not report.lost
    assert all(o.state == "done" and o.attempts == 1 for o in outcomes)
    assert (run.state, run.scan_id) == ("done", report.finished.result.scan_id)
    # The shared rescan judges and records exactly what the one-process rescan does.
    shared = report.finished.result
    assert shared.status_counts() == plain.result.status_counts()
    assert _findings(scanned, shared.scan_id) == _findings(scanned, plain.result.scan_id)
    assert shared.findings  # the demo fleet has findings: the comparison compared something


def test_a_verdict_survives_the_store_unchanged(scanned: Scanned) -> None:
    result = run_scan(scanned.inventory, None, scanned.options)
    assert {v.status for v in result.verdicts.values()} >= {Status.VERIFIED, Status.UNRESOLVED}
    for verdict in result.verdicts.values():
        assert verdict_from_json(verdict_to_json(verdict)) == verdict


def test_a_dead_workers_components_are_completed_by_another(scanned: Scanned) -> None:
    moment = scanned.options.clock()
    with open_sql_store(scanned.db) as store:
        run, _ = store.open_rescan_run(
            scanned.scan_id, scanned.purls, at=stamp(moment), max_attempts=3
        )
        # A worker claims three components and dies (never completes, never renews).
        expiry = stamp(moment + timedelta(seconds=60))
        dead, _ = store.claim_rescan_items(
            run.id, "dead", now=stamp(moment), expires=expiry, limit=3
        )
        later = moment + timedelta(seconds=61)
        options = replace(scanned.options, clock=lambda: later)
        report = work_rescan(store, options, WorkerSettings(owner="alive", batch=5))
        assert report is not None
        outcomes = {o.purl: o for o in store.rescan_outcomes(run.id)}
    assert report.run_id == run.id and report.finished is not None
    assert sorted(report.checked) == sorted(scanned.purls)
    for claimed in dead:
        assert (outcomes[claimed.purl].state, outcomes[claimed.purl].attempts) == ("done", 2)
    assert all(o.state == "done" for o in outcomes.values())


def test_concurrent_workers_share_a_run_each_component_once(scanned: Scanned) -> None:
    reports: list[WorkerReport] = []
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with open_sql_store(scanned.db) as store:
                settings = WorkerSettings(owner=name, batch=2, poll=0.05)
                report = work_rescan(store, scanned.options, settings, enqueue=True)
                assert report is not None
                reports.append(report)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    checked = [p for r in reports for p in r.checked]
    assert sorted(checked) == sorted(scanned.purls)  # all of them, none twice
    assert len({r.run_id for r in reports}) == 1  # the three joined one run
    assert sum(r.finished is not None for r in reports) == 1  # finished once
    with open_sql_store(scanned.db) as store:
        assert [s.kind for s in store.scans()] == ["rescan", "scan"]  # recorded once


def test_a_poison_component_is_given_up_and_reported_not_checked(scanned: Scanned) -> None:
    moment: datetime = scanned.options.clock()
    with open_sql_store(scanned.db) as store:
        run, _ = store.open_rescan_run(
            scanned.scan_id, scanned.purls, at=stamp(moment), max_attempts=2
        )
        poison = scanned.purls[0]
        for n in range(2):  # two workers died on it in turn
            at = moment + timedelta(seconds=100 * n)
            store.claim_rescan_items(
                run.id,
                f"dead{n}",
                now=stamp(at),
                expires=stamp(at + timedelta(seconds=10)),
                limit=1,
            )
        later = moment + timedelta(seconds=500)
        options = replace(scanned.options, clock=lambda: later)
        report = work_rescan(store, options, WorkerSettings(owner="alive"))
        assert report is not None
        progress = store.rescan_progress(run.id)
    assert report.given_up == (poison,) and poison not in report.checked
    assert progress.failed == 1 and progress.done == len(scanned.purls) - 1
    assert report.finished is not None
    verdict = report.finished.result.verdicts[poison]
    assert verdict.status is Status.FETCH_FAILED and "given up after 2 attempts" in verdict.reason
    # Not checked is a finding of the rescan, never a silent pass.
    assert any(f.subject == poison for _, f in report.finished.result.findings)


def test_a_worker_never_opens_a_run_unless_asked(scanned: Scanned) -> None:
    with open_sql_store(scanned.db) as store:
        assert work_rescan(store, scanned.options, WorkerSettings(owner="idle")) is None
        assert store.rescan_runs() == []
        first = work_rescan(store, scanned.options, WorkerSettings(owner="a"), enqueue=True)
        # A worker that starts after the run is done finds nothing open: no second rescan.
        late = work_rescan(store, scanned.options, WorkerSettings(owner="late"))
        runs = store.rescan_runs()
        kinds = [s.kind for s in store.scans()]
    assert first is not None and late is None
    assert len(runs) == 1 and kinds == ["rescan", "scan"]
