"""`chainwatch rescan --worker / --enqueue / --status`: a rescan shared among worker processes.

Kept apart from ``changes.py`` (which registers the options on ``rescan``): parsing the worker
settings, printing a run's progress and a worker's report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from scanner._output import Output

if TYPE_CHECKING:
    from scanner.rescan_queue import WorkerReport, WorkerSettings
    from scanner.scan import Progress, ScanOptions
    from scanner.store import StoreTarget
    from scanner.store.queue_items import RunProgress

F = Callable[..., Any]

_OPTIONS = (
    click.option(
        "--worker",
        is_flag=True,
        help="Work on the open shared rescan with other workers through the store's queue"
        " (PostgreSQL for workers on several machines): check leased components, finish the"
        " run when last.",
    ),
    click.option(
        "--follow",
        is_flag=True,
        help="With --worker: keep working on runs opened by --enqueue, waiting for new ones"
        " (never opens one itself).",
    ),
    click.option(
        "--enqueue",
        is_flag=True,
        help="Open a shared run of the latest scan for workers (none is open while one is);"
        " with --worker, then work on it.",
    ),
    click.option(
        "--status", "show_status", is_flag=True, help="Show the progress of shared runs; exit."
    ),
    click.option(
        "--worker-id", metavar="NAME", help="This worker's name in leases (default: host:pid)."
    ),
    click.option(
        "--lease",
        type=click.FloatRange(min=1),
        default=600.0,
        show_default=True,
        metavar="SECONDS",
        help="How long a claimed component stays this worker's without renewal; a dead"
        " worker's components are taken over after it.",
    ),
    click.option(
        "--batch",
        type=click.IntRange(min=1),
        default=50,
        show_default=True,
        help="Components per claim.",
    ),
    click.option(
        "--max-attempts",
        type=click.IntRange(min=1),
        default=3,
        show_default=True,
        help="Lost leases before a component is given up (reported as not checked).",
    ),
)


def worker_options(func: F) -> F:
    """The options of the shared rescan, in help order."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def settings(worker_id: str | None, lease: float, batch: int, max_attempts: int) -> WorkerSettings:
    """The worker settings the options give."""
    from scanner.rescan_queue import WorkerSettings
    from scanner.rescan_queue.worker import default_owner

    return WorkerSettings(
        owner=worker_id or default_owner(), lease=lease, batch=batch, max_attempts=max_attempts
    )


def print_status(db: StoreTarget | None, out: Output, limit: int = 10) -> None:
    """The most recent shared runs and how far each is."""
    from scanner.report.interface import ReportFormat
    from scanner.store import open_sql_store

    with open_sql_store(db) as store:
        progress = [store.rescan_progress(r.id) for r in store.rescan_runs(limit)]
    if out.fmt is ReportFormat.JSON:
        out.stream.write(json.dumps([_status_doc(p) for p in progress], indent=2) + "\n")
        return
    if not progress:
        out.line("no shared rescan runs")
    for p in progress:
        out.data(status_line(p))
        if p.workers:
            out.data(f"  leased by: {', '.join(p.workers)}")


def status_line(p: RunProgress) -> str:
    """One run's progress as a line."""
    run = p.run
    recorded = f", recorded as scan {run.scan_id}" if run.scan_id is not None else ""
    return (
        f"rescan run {run.id} of scan {run.source_scan_id}: {run.state}{recorded}; "
        f"{p.done}/{run.total} checked, {p.failed} given up, {p.leased} leased, "
        f"{p.queued} queued, {p.retried} taken more than once"
    )


def _status_doc(p: RunProgress) -> dict[str, object]:
    run = p.run
    return {
        "run": run.id,
        "source_scan": run.source_scan_id,
        "state": run.state,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "scan": run.scan_id,
        "total": run.total,
        "done": p.done,
        "given_up": p.failed,
        "leased": p.leased,
        "queued": p.queued,
        "retried": p.retried,
        "workers": list(p.workers),
    }


def enqueue(db: StoreTarget | None, options: ScanOptions, max_attempts: int, out: Output) -> None:
    """Open a shared run (or name the open one) and print it."""
    from scanner.rescan_queue.worker import enqueue_rescan
    from scanner.store import open_sql_store

    with open_sql_store(db) as store:
        run = enqueue_rescan(store, options, max_attempts=max_attempts)
        out.data(status_line(store.rescan_progress(run.id)))


def report_line(report: WorkerReport) -> str:
    """What one worker did, as a line."""
    lost = f", {len(report.lost)} checked after its lease was taken over" if report.lost else ""
    return (
        f"rescan run {report.run_id}: worker {report.owner} checked {len(report.checked)}"
        f" of {report.total} component(s){lost}"
    )


def work(
    db: StoreTarget | None,
    options: ScanOptions,
    worker: WorkerSettings,
    out: Output,
    progress: Progress | None,
    *,
    enqueue: bool,
) -> tuple[WorkerReport | None, int]:
    """Work on the shared rescan until it is done; the report, and how many were given up."""
    from scanner.rescan_queue import work_rescan
    from scanner.store import open_sql_store

    with open_sql_store(db) as store:
        report = work_rescan(store, options, worker, enqueue=enqueue, progress=progress)
        if report is None:
            out.line("no shared rescan is open: `chainwatch rescan --enqueue` opens one")
            return None, 0
        given_up = store.rescan_progress(report.run_id).failed
    out.line(report_line(report))
    if given_up:
        out.line(f"{given_up} component(s) given up after repeated lost leases: not checked")
    return report, given_up


def follow(
    db: StoreTarget | None, options: ScanOptions, worker: WorkerSettings, out: Output
) -> None:
    """Work on runs others open, for ever (until stopped)."""
    from scanner.rescan_queue import follow_rescans
    from scanner.store import open_sql_store

    with open_sql_store(db) as store:
        follow_rescans(store, options, worker, on_report=lambda r: out.line(report_line(r)))
