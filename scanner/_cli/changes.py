"""`chainwatch baseline accept`, `chainwatch diff`, `chainwatch rescan` (registered on ``main``).

Exit codes of `diff` and `rescan`: 0 no change at or above --fail-on; 1 at least one; 3 could not
run (no baseline, no such scan, store errors).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli import rescan_work
from scanner._cli.root import (
    EXIT_GATE,
    EXIT_OK,
    EXIT_PARTIAL,
    handle_errors,
    main,
    progress_bar,
    severity_choice,
    verification_options,
)
from scanner._output import Output, output_options
from scanner.models import Severity

if TYPE_CHECKING:
    from scanner.checks.diff import Change


def _fail_on() -> click.Option:
    return click.Option(
        ["--fail-on"],
        type=severity_choice(),
        default="high",
        show_default=True,
        help="Exit 1 when a change is at least this severe.",
    )


def _print_changes(changes: list[Change], out: Output, header: str) -> None:
    from scanner.report.interface import ReportFormat

    if out.fmt is ReportFormat.JSON:
        doc = {
            "header": header,
            "changes": [
                {
                    "kind": c.kind.value,
                    "severity": c.severity.value,
                    "agent": c.agent,
                    "package": c.key,
                    "before": c.before,
                    "after": c.after,
                    "location": c.source,
                    "message": c.message,
                }
                for c in changes
            ],
        }
        out.stream.write(json.dumps(doc, indent=2) + "\n")
        return
    out.line(header)
    if not changes:
        out.line("no changes")
    for c in changes:
        where = f"  [{c.source}]" if c.source else ""
        out.data(f"{c.severity.value:<8} {c.kind.value:<18} {c.agent}  {c.key}: {c.message}{where}")


def _exit(changes: list[Change], fail_on: str, *, partial: bool = False) -> None:
    # partial: something could not be checked, which is never a pass (exit 4).
    ok = EXIT_PARTIAL if partial else EXIT_OK
    if fail_on == "never":
        sys.exit(ok)
    rank = Severity(fail_on).rank
    sys.exit(EXIT_GATE if any(c.severity.rank >= rank for c in changes) else ok)


@main.group()
def baseline() -> None:
    """The accepted state `chainwatch diff` compares with."""


@baseline.command("accept")
@click.option("--agent", metavar="NAME", help="Accept only this agent (default: every agent).")
@click.option("--scan", "scan_id", type=int, help="Accept this scan (default: the latest).")
@output_options(formats=False)
@click.pass_context
@handle_errors
def baseline_accept(
    ctx: click.Context, agent: str | None, scan_id: int | None, out: Output
) -> None:
    """Record what the latest scan saw as the accepted state of each agent (or of --agent)."""
    from scanner.diff import accept_baseline
    from scanner.store import open_store

    at = ctx.obj["clock"]().isoformat(timespec="seconds")
    with open_store(ctx.obj["db"]) as store:
        accepted, agents = accept_baseline(store, at, agent=agent, scan_id=scan_id)
    out.data(f"baseline: scan {accepted} accepted for {', '.join(agents) or 'no agents'} at {at}")


@main.command()
@click.option("--against", "against", type=int, metavar="SCAN", help="Compare with this scan id.")
@click.option(
    "--scan", "scan_id", type=int, metavar="SCAN", help="The later scan (default: latest)."
)
@click.option("--agent", metavar="NAME", help="Only this agent.")
@output_options()
@click.pass_context
@handle_errors
def diff(
    ctx: click.Context,
    against: int | None,
    scan_id: int | None,
    agent: str | None,
    fail_on: str,
    out: Output,
) -> None:
    """List what changed since the accepted baseline (or --against SCAN).

    Added and removed packages, upgrades and downgrades, the same version with another digest
    (critical, with the lockfile line), publisher identity changed, attestation lost, new
    vulnerabilities and new risk signals. Exit 1 when a change is at least --fail-on.
    """
    from scanner.diff import NoBaselineError, diff_against
    from scanner.store import open_store

    with open_store(ctx.obj["db"]) as store:
        current = scan_id if scan_id is not None else store.latest_scan_id(agent)
        if current is None:
            raise NoBaselineError("the store holds no scan to compare")
        changes = diff_against(store, current, against, agent=agent)
    reference = f"scan {against}" if against is not None else "the accepted baseline"
    _print_changes(changes, out, f"scan {current} against {reference}: {len(changes)} change(s)")
    _exit(changes, fail_on)


diff.params.insert(3, _fail_on())


@main.command()
@click.option("--offline", is_flag=True, help="Use only cached registry answers; report the rest.")
@verification_options
@click.option("--audit", is_flag=True, help="Also audit every package (vulnerabilities, malware).")
@click.option(
    "--osv-db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_OSV_DB",
    help="Offline OSV database for --audit --offline.",
)
@rescan_work.worker_options
@output_options()
@click.pass_context
@handle_errors
def rescan(
    ctx: click.Context,
    offline: bool,
    cache_dir: Path | None,
    trust_root: Path | None,
    audit: bool,
    osv_db: Path | None,
    fail_on: str,
    out: Output,
    worker: bool,
    follow: bool,
    enqueue: bool,
    show_status: bool,
    worker_id: str | None,
    lease: float,
    batch: int,
    max_attempts: int,
) -> None:
    """Check every component of the latest scan again against registries and advisories.

    Concurrent, with a progress bar on a terminal; reads no files (the store's components are
    checked). New advisories, yanks, new releases and attestation or identity changes are
    recorded as change events (cause "rescan") and listed. Exit 1 when one is at least --fail-on.

    Shared: --enqueue opens a run of the latest scan; any number of --worker processes (on any
    number of machines, sharing a PostgreSQL store) split it: each component is checked once, a
    dead worker's components are taken over when their lease expires, --status shows the
    progress. --enqueue --worker opens (or joins) and works. Exit 4 when a component had to be
    given up (not checked).
    """
    if show_status:
        rescan_work.print_status(ctx.obj["db"], out)
        return
    if follow and not worker:
        raise click.UsageError("--follow works with --worker")
    from rich.console import Console

    from scanner.audit.setup import AuditSettings
    from scanner.checks.diff import Change, ChangeKind
    from scanner.rescans import rescan as run_rescan
    from scanner.scan import ScanOptions
    from scanner.store import open_store

    options = ScanOptions(
        offline=offline,
        cache_dir=cache_dir,
        trust_root=trust_root,
        clock=ctx.obj["clock"],
        sleep=ctx.obj["sleep"],
        audit=AuditSettings(offline=offline, osv_db=osv_db, cache_dir=cache_dir) if audit else None,
    )
    err = Console(stderr=True)
    if enqueue and (follow or not worker):
        rescan_work.enqueue(ctx.obj["db"], options, max_attempts, out)
        if not worker:
            return
    given_up = 0
    if worker:
        settings = rescan_work.settings(worker_id, lease, batch, max_attempts)
        if follow:
            rescan_work.follow(ctx.obj["db"], options, settings, out)
            return
        with progress_bar(err, enabled=not out.options.quiet) as progress:
            report, given_up = rescan_work.work(
                ctx.obj["db"], options, settings, out, progress, enqueue=enqueue
            )
        if report is None or report.finished is None:  # nothing open, or finished elsewhere
            sys.exit(EXIT_OK)
        done = report.finished
    else:
        with (
            open_store(ctx.obj["db"]) as store,
            progress_bar(err, enabled=not out.options.quiet) as progress,
        ):
            done = run_rescan(store, options, progress=progress)
    changes = [
        Change(
            ChangeKind(e.kind),
            Severity(e.severity),
            e.agent,
            e.component_key,
            e.before,
            e.after,
            e.message,
            e.location,
        )
        for e in done.events
    ]
    header = (
        f"rescan {done.result.scan_id} of scan {done.source_scan_id}: "
        f"{len(changes)} change event(s) recorded"
    )
    _print_changes(changes, out, header)
    _exit(changes, fail_on, partial=given_up > 0)


rescan.params.insert(5, _fail_on())
