"""``chainwatch check``: the CI gate. scan + audit + diff + policy, one exit code.

Exit codes (``check`` only; ``scan`` keeps its own): 0 clean; 1 policy violation; 2 usage or
input error (bad option, unreadable policy, manifest, config or lockfile); 3 could not complete
(an advisory source failed so the audit is incomplete, the store or trust root is unusable).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import (
    handle_errors,
    inventory_options,
    main,
    options_for,
    verification_options,
)
from scanner._cli.scan import _scan
from scanner._output import Output, error, output_options
from scanner.errors import ConfigError
from scanner.limits import COMPONENT_DEADLINE, REQUEST_DEADLINE

if TYPE_CHECKING:
    from scanner.checks.policy import Policy
    from scanner.scan import ScanResult
    from scanner.store import Store

EXIT_USAGE = 2
OSV_TIMEOUT = 20.0  # seconds; scanner.audit.setup.DEFAULT_TIMEOUT (not imported at start-up)


@main.command()
@inventory_options
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Policy file holding a [policy] table (default: the [policy] of the manifest in PATHS, "
    "or chainwatch-policy.toml beside it; else fail on high findings).",
)
@click.option("--offline", is_flag=True, help="Cached registry answers and the imported OSV db.")
@verification_options
@click.option(
    "--osv-db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_OSV_DB",
    help="Offline OSV database for --offline (default: osv.db in the user data folder).",
)
@click.option(
    "--osv-url",
    default=None,
    envvar="CHAINWATCH_OSV_URL",
    help="OSV API base URL ending in /v1 (default: the public OSV API; env CHAINWATCH_OSV_URL).",
)
@click.option(
    "--osv-timeout",
    type=click.FloatRange(min=0.1),
    default=OSV_TIMEOUT,
    show_default=True,
    help="Seconds an advisory request may take; then the audit is incomplete (exit 3).",
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also append the Markdown verdict to FILE (e.g. $GITHUB_STEP_SUMMARY or a PR comment).",
)
@click.option(
    "--min-score",
    type=click.IntRange(0, 100),
    default=None,
    metavar="N",
    help="Also fail (exit 1) when an agent's trust score (`chainwatch score`) is below N; a "
    "score that cannot be computed fails too.",
)
@output_options(results=True)
@click.pass_context
@handle_errors
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    system_root: Path | None,
    client: str | None,
    no_record: bool,
    policy_file: Path | None,
    offline: bool,
    cache_dir: Path | None,
    trust_root: Path | None,
    osv_db: Path | None,
    osv_url: str | None,
    osv_timeout: float,
    markdown_file: Path | None,
    min_score: int | None,
    out: Output,
) -> None:
    """The CI gate: scan, audit, diff against the accepted baseline, apply the policy.

    Exit 0 clean, 1 policy violation, 2 usage or input error, 3 could not complete (an advisory
    source failed: the audit is incomplete, never reported clean). Changes since an agent's
    accepted baseline (`chainwatch baseline accept`) are CW505 findings. The policy is the [policy]
    table of the agent manifest (or chainwatch-policy.toml beside it, or --policy FILE): severity
    threshold, required attestations, trusted publishers, maximum release age, allow and deny
    lists, and ignores that each carry a reason and an expiry date. With --min-score N, an agent
    whose supply-chain trust score is below N (or cannot be computed) fails the check too.
    """
    from scanner.audit.setup import AuditSettings
    from scanner.check import find_policy
    from scanner.scan import ScanOptions

    if not paths and not discover:
        raise click.UsageError("name at least one path, or pass --discover")
    try:
        policy = find_policy(paths, policy_file)
    except ConfigError as exc:
        error(f"error: {exc.diagnostics()}")
        sys.exit(EXIT_USAGE)
    clock = ctx.obj["clock"]
    options = ScanOptions(
        offline=offline,
        cache_dir=cache_dir,
        trust_root=trust_root,
        request_deadline=REQUEST_DEADLINE,
        component_deadline=COMPONENT_DEADLINE,
        clock=clock,
        sleep=ctx.obj["sleep"],
        audit=AuditSettings(
            offline=offline,
            osv_db=osv_db,
            osv_url=osv_url,
            timeout=osv_timeout,
            cache_dir=cache_dir,
        ),
    )
    inv_options = options_for(discover, home, projects, system_root, client)
    result = _scan(
        ctx,
        paths,
        inv_options,
        options,
        out,
        no_record,
        None,
        finish=lambda r: _judged(ctx, r, policy, clock(), min_score, record=not no_record),
    )
    assert result.check is not None  # set by finish
    if markdown_file is not None:
        from scanner.report.markdown import markdown_document

        try:
            with markdown_file.open("a", encoding="utf-8") as fh:
                fh.write(markdown_document(result))
        except OSError as exc:
            raise click.FileError(str(markdown_file), exc.strerror or str(exc)) from exc
    sys.exit(result.check.exit_code)


def _judged(
    ctx: click.Context,
    result: ScanResult,
    policy: Policy,
    now: datetime,
    min_score: int | None,
    *,
    record: bool,
) -> ScanResult:
    """The diff against each agent's accepted baseline (when the store has one), then the policy,
    then (with --min-score) each agent's trust score."""
    from scanner.check import change_findings, check_scan
    from scanner.store import open_store

    with open_store(ctx.obj["db"]) as store:
        changes, without = change_findings(store, result)
        if without:
            error(
                f"note: no accepted baseline for {', '.join(without)}: no diff for them "
                "(`chainwatch baseline accept` after a scan you trust)"
            )
        judged = check_scan(result, policy, now, changes=changes)
        if min_score is None and not record:
            return judged
        return _scored(store, judged, now, min_score, record=record)


def _scored(
    store: Store, result: ScanResult, now: datetime, minimum: int | None, *, record: bool
) -> ScanResult:
    """Score the checked agents into the history; with --min-score, a trip for each agent below
    the minimum (a score that could not be computed fails closed)."""
    from dataclasses import replace

    from scanner.checks.gate import score_trips
    from scanner.errors import ChainwatchError
    from scanner.score.compute import check_scores, default_behavior, history_points

    assert result.check is not None
    agents = [
        (a.agent.id, (*a.agent.config_paths, *a.agent.lockfile_paths, a.agent.id)[0])
        for a in result.inventory.agents
    ]
    try:
        fleet = check_scores(store, result, as_of=now, behavior=default_behavior())
        if record:
            store.record_scores(history_points(fleet, "check"))
    except ChainwatchError as exc:
        error(f"error: no trust score: {exc.diagnostics()}")
        if minimum is None:
            return result
        gate, found = score_trips(result.check.gate, minimum, agents, (), unavailable=exc.message)
    else:
        if minimum is None:
            return result
        gate, found = score_trips(result.check.gate, minimum, agents, fleet.agents)
    return replace(
        result,
        findings=[*result.findings, *found],
        gate=gate,
        check=replace(result.check, gate=gate),
    )
