"""Snapshots from the store or a scan result, compared to a baseline; change events recorded."""

from __future__ import annotations

from scanner.baseline import ChangeCause, ChangeEvent, VerificationRecord
from scanner.checks.diff import Change, Snapshot, diff_snapshots
from scanner.checks.snapshot import snapshot_of
from scanner.errors import ChainwatchError
from scanner.results import ScanResult
from scanner.store import Store


class NoBaselineError(ChainwatchError):
    """There is nothing to compare with: no accepted baseline (or no scan) for an agent."""

    hint = "run `chainwatch scan`, then `chainwatch baseline accept`, or pass --against SCAN"


def accept_baseline(
    store: Store, at: str, *, agent: str | None = None, scan_id: int | None = None
) -> tuple[int, list[str]]:
    """Accept what the latest scan (or ``scan_id``) saw of ``agent`` (or of every agent it saw).

    Returns the scan accepted and the agents whose baseline it now is.
    """
    scan_id = scan_id if scan_id is not None else store.latest_scan_id(agent)
    if scan_id is None:
        who = f" of agent {agent!r}" if agent else ""
        raise NoBaselineError(
            f"there is no recorded scan{who} to accept", hint="run `chainwatch scan` first"
        )
    agents = sorted(store.snapshot(scan_id).agents() | _scan_agents(store, scan_id))
    if agent is not None:
        if agent not in agents:
            raise NoBaselineError(f"scan {scan_id} did not cover agent {agent!r}")
        agents = [agent]
    store.accept_baseline(scan_id, agents, at)
    return scan_id, agents


def _scan_agents(store: Store, scan_id: int) -> set[str]:
    # Agents without packages have a baseline too: anything they run later is an addition.
    return {a.agent.id for a in store.stored_inventory(scan_id).agents}


def diff_against(
    store: Store,
    current: ScanResult | Snapshot | int,
    baseline: int | None = None,
    *,
    agent: str | None = None,
) -> list[Change]:
    """The changes from the baseline to ``current``, per agent ``current`` covers.

    ``current`` is a scan result (recorded or not), a snapshot or a scan id. ``baseline`` None
    compares each agent with its accepted baseline (an agent without one is an error: nothing is
    ever reported unchanged for want of a reference); a scan id compares every agent with it.
    """
    now = _snapshot(store, current)
    agents = sorted(now.agents() if agent is None else {agent})
    if baseline is not None:
        before = store.snapshot(baseline).only(agents)
        return diff_snapshots(before, now.only(agents))
    accepted = {b.agent: b for b in store.baselines()}
    missing = [a for a in agents if a not in accepted]
    if missing:
        raise NoBaselineError(f"no accepted baseline for agent(s) {', '.join(missing)}")
    changes: list[Change] = []
    for scan_id in sorted({accepted[a].scan_id for a in agents}):
        covered = [a for a in agents if accepted[a].scan_id == scan_id]
        changes.extend(diff_snapshots(store.snapshot(scan_id).only(covered), now.only(covered)))
    changes.sort(key=lambda c: (-c.severity.rank, c.agent, c.key, c.kind.value, c.after or ""))
    return changes


def _snapshot(store: Store, current: ScanResult | Snapshot | int) -> Snapshot:
    if isinstance(current, Snapshot):
        return current
    if isinstance(current, int):
        return store.snapshot(current)
    if current.scan_id is not None:
        return store.snapshot(current.scan_id)
    return snapshot_from_result(current, at="")


def record_scan_changes(
    store: Store, scan_id: int, cause: ChangeCause, at: str
) -> list[ChangeEvent]:
    """Store (and return) what changed per agent since the previous scan that covered it.

    For a scan recorded earlier without them (a rescan finisher that died in between); a new
    scan gets them in its own transaction (``Store.record_scan(changes=scan_changes...)``).
    """
    events = scan_changes(store, scan_id, cause, at)
    if events:
        store.record_changes(events)
    return events


def scan_changes(store: Store, scan_id: int, cause: ChangeCause, at: str) -> list[ChangeEvent]:
    """What changed per agent between the previous scan that covered it and scan ``scan_id``.

    An agent seen for the first time has no previous state: its packages are no change events.
    """
    now = store.snapshot(scan_id)
    events: list[ChangeEvent] = []
    for agent in sorted(now.agents()):
        previous = store.previous_scan_id(scan_id, agent)
        if previous is None:
            continue
        changes = diff_snapshots(store.snapshot(previous).only([agent]), now.only([agent]))
        events.extend(_event(c, cause, scan_id, at) for c in changes)
    return events


def _event(c: Change, cause: ChangeCause, scan_id: int, at: str) -> ChangeEvent:
    return ChangeEvent(
        at=at,
        agent=c.agent,
        component_key=c.key,
        kind=c.kind.value,
        before=c.before,
        after=c.after,
        cause=cause,
        scan_id=scan_id,
        severity=c.severity.value,
        message=c.message,
        location=c.source,
    )


def snapshot_from_result(result: ScanResult, at: str) -> Snapshot:
    """The snapshot of a scan result (recorded or not: ``scan --no-record`` too)."""
    verifications = [
        VerificationRecord(v.component.purl, v.status.value, v.reason, v.identity)
        for v in result.verdicts.values()
    ]
    return snapshot_of(result.scan_id, at, result.inventory, verifications, result.findings)
