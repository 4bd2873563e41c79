"""``scan`` and ``demo``: inventory, verify, gate and print."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import (
    handle_errors,
    inventory_options,
    main,
    options_for,
    progress_bar,
    severity_choice,
    verification_options,
)
from scanner._output import Output, inventory_errors, output_options
from scanner.limits import COMPONENT_DEADLINE, REQUEST_DEADLINE
from scanner.models import Severity

if TYPE_CHECKING:
    from scanner.checks.gate import GatePolicy
    from scanner.inventory.build import InventoryOptions
    from scanner.scan import ScanOptions, ScanResult
    from scanner.store import Store


@main.command()
@inventory_options
@click.option("--offline", is_flag=True, help="Use only cached registry answers; report the rest.")
@click.option("--download", is_flag=True, help="Also download artifacts and check their digests.")
@verification_options
@click.option(
    "--request-deadline",
    type=click.FloatRange(min=0.1),
    default=REQUEST_DEADLINE,
    show_default=True,
    help="Seconds one registry request may take, however slowly its bytes arrive.",
)
@click.option(
    "--component-deadline",
    type=click.FloatRange(min=0.1),
    default=COMPONENT_DEADLINE,
    show_default=True,
    help="Seconds one component's verification may take, retries included; then fetch-failed.",
)
@click.option(
    "--fail-on",
    type=severity_choice(),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--require-verified",
    is_flag=True,
    help="Exit 1 unless every registry package is verified.",
)
@click.option(
    "--allow-unchecked",
    is_flag=True,
    help="Do not fail on components that could not be checked (they are still reported).",
)
@click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="NAME",
    help="Do not fail on this unchecked component: a name, package URL or server URL (repeatable).",
)
@click.option(
    "--audit",
    is_flag=True,
    help="Also audit every package for vulnerabilities and malware (OSV; with --offline, the "
    "database `db import-osv` filled). An audit that cannot complete fails like an unchecked "
    "component.",
)
@click.option(
    "--osv-db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_OSV_DB",
    help="Offline OSV database for --audit --offline (default: osv.db in the user data folder).",
)
@output_options(results=True)
@click.pass_context
@handle_errors
def scan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    system_root: Path | None,
    client: str | None,
    no_record: bool,
    offline: bool,
    download: bool,
    cache_dir: Path | None,
    request_deadline: float,
    component_deadline: float,
    trust_root: Path | None,
    fail_on: str,
    require_verified: bool,
    allow_unchecked: bool,
    allow: tuple[str, ...],
    audit: bool,
    osv_db: Path | None,
    out: Output,
) -> None:
    """Inventory, then verify every component against its registry and sigstore.

    Each component ends in exactly one state: verified (with the publisher identity),
    attestation-invalid, no-attestation, registry-signed, digest-mismatch, unresolved or
    fetch-failed. Only verified is a pass. A component that could not be checked (unresolved,
    fetch-failed) fails the run unless allowed with --allow-unchecked or --allow NAME.
    """
    from scanner.audit.setup import AuditSettings
    from scanner.checks.gate import GatePolicy
    from scanner.scan import ScanOptions

    if not paths and not discover:
        raise click.UsageError("name at least one path, or pass --discover")
    options = ScanOptions(
        offline=offline,
        download=download,
        cache_dir=cache_dir,
        trust_root=trust_root,
        request_deadline=request_deadline,
        component_deadline=component_deadline,
        clock=ctx.obj["clock"],
        sleep=ctx.obj["sleep"],
        audit=AuditSettings(offline=offline, osv_db=osv_db, cache_dir=cache_dir) if audit else None,
    )
    inv_options = options_for(discover, home, projects, system_root, client)
    policy = GatePolicy(
        fail_on=None if fail_on == "never" else Severity(fail_on),
        require_verified=require_verified,
        allow_unchecked=allow_unchecked,
        allow=frozenset(allow),
    )
    result = _scan(ctx, paths, inv_options, options, out, no_record, policy)
    sys.exit(0 if result.gate is None else result.gate.exit_code)


def _scan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    inv_options: InventoryOptions,
    options: ScanOptions,
    out: Output,
    no_record: bool,
    policy: GatePolicy | None,
    finish: Callable[[ScanResult], ScanResult] | None = None,
) -> ScanResult:
    from scanner.checks.gate import GatePolicy
    from scanner.inventory.build import build_inventory
    from scanner.scan import run_scan
    from scanner.store import open_store

    inv = build_inventory(list(paths), inv_options)
    inputs = {
        "paths": [str(p) for p in paths],
        "discover": inv_options.discover,
        "offline": options.offline,
        "download": options.download,
    }
    show = not out.options.quiet and out.fmt == "table"
    err = None
    if show:  # rich loads only for a progress bar (a JSON or quiet run never shows one)
        from rich.console import Console

        err = Console(stderr=True)
    with progress_bar(err, enabled=show) as progress:
        if no_record:
            result = run_scan(inv, None, options, inputs=inputs, progress=progress)
        else:
            with open_store(ctx.obj["db"]) as store:
                result = run_scan(inv, store, options, inputs=inputs, progress=progress)
                if finish is None:  # `check` scores in its own finish
                    from scanner._cli.score import record_history

                    scanned = [a.agent.id for a in inv.agents]
                    record_history(store, options.clock(), "scan", scanned)
    inventory_errors(inv)
    result = finish(result) if finish is not None else _with_gate(result, policy or GatePolicy())
    _print_scan(result, out)
    return result


def _with_gate(result: ScanResult, policy: GatePolicy) -> ScanResult:
    from scanner.checks.gate import decide

    unreadable = sum(len(a.errors) for a in result.inventory.agents) + len(result.inventory.errors)
    gate = decide(result.verdicts.values(), result.findings, policy, unreadable_inputs=unreadable)
    return replace(result, gate=gate)


def _print_scan(result: ScanResult, out: Output) -> None:
    """The report; in text, then the gate's last lines: what was not checked, what tripped."""
    from scanner.checks.gate import GateDecision
    from scanner.report.text import safe, wrap

    out.report.scan(result, out.stream)
    if out.fmt == "table" and isinstance(result.gate, GateDecision):
        lines = result.check.lines() if result.check is not None else result.gate.lines()
        for line in lines:
            # Names come from configs: redacted and cleaned; wrapped under their own indent.
            body = line.lstrip(" ")
            lead = " " * (len(line) - len(body))
            words = safe(body).split(" ")
            for part in wrap(words, out.options.width, first=lead, indent=len(lead) + 4):
                out.stream.write(part + "\n")


@main.command()
@click.option(
    "--store",
    "demo_db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The demo's own SQLite store (default: chainwatch-demo.db in the user data folder).",
)
@click.option(
    "--check",
    "as_check",
    is_flag=True,
    help="Run it as `chainwatch check`: audit against the demo's OSV records (a vulnerable and a "
    "malicious release are planted) and apply the demo policy; exit with the check's code.",
)
@click.option(
    "--accepted",
    is_flag=True,
    help="With --check: the demo policy once the planted problems are accepted (each ignore with "
    "a reason and an expiry date).",
)
@output_options(results=True)
@handle_errors
def demo(demo_db: Path | None, as_check: bool, accepted: bool, out: Output) -> None:
    """Scan the bundled demo fleet against the bundled loopback registry (no outside network).

    The demo keeps its own store, never the one of --db or CHAINWATCH_DB, so its fixture
    publishers never enter your trust list. Run it twice to see the baseline at work.
    """
    from rich.console import Console

    from scanner._cli.score import story_lines, write_lines
    from scanner.checks.gate import GatePolicy
    from scanner.demo import default_demo_db_path, run_demo, run_demo_events
    from scanner.store import open_store

    if accepted and not as_check:
        raise click.UsageError("--accepted goes with --check")
    db = demo_db or default_demo_db_path()
    with (
        open_store(db) as store,
        progress_bar(Console(stderr=True), enabled=out.fmt == "table") as bar,
    ):
        result = run_demo(store, progress=bar, audit=as_check)
    with open_store(db) as store:  # the ending: the recorded event stream and the score drop
        story = run_demo_events(store)
        page = _demo_report(store, story.after.as_of, db)
    if as_check:
        from scanner.check import check_scan
        from scanner.demo import demo_policy, recorded_at

        result = check_scan(result, demo_policy(accepted=accepted), recorded_at())
        _print_scan(result, out)
        out.line(f"demo store: {db}; the check above is `chainwatch check` on the demo fleet")
        if out.fmt == "table" and not out.options.quiet:
            write_lines(out, story_lines(story, db))
            out.line(f"HTML report: {page}")
        assert result.check is not None
        sys.exit(result.check.exit_code)
    _print_scan(_with_gate(result, GatePolicy()), out)
    out.line(
        f"demo store: {db}; the gate above is what `chainwatch scan` would decide with its defaults"
    )
    if out.fmt == "table" and not out.options.quiet:
        write_lines(out, story_lines(story, db))
        out.line(f"HTML report: {page}")


def _demo_report(store: Store, as_of: str, db: Path) -> Path:
    """Write the demo's HTML report beside its store, as of the end of the recorded stream."""
    from datetime import datetime

    from scanner._cli.report import render_page, write_page
    from scanner.report.html_source import report_values

    when = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    page = db.with_name(db.stem + "-report.html")
    write_page(page, render_page(report_values(store, as_of=when), now=when))
    return page
