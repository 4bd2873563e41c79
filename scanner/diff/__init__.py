"""Baselines and change events: what changed since the accepted state, and since the last scan.

The comparison itself is pure (``scanner.checks.diff``); this package reads the snapshots from the
store and records baselines and change events; ``scanner.rescans`` re-checks stored components.
"""

from scanner.checks.diff import Change, ChangeKind, PackageState, Signal, Snapshot
from scanner.diff.compare import (
    NoBaselineError,
    accept_baseline,
    diff_against,
    record_scan_changes,
    snapshot_from_result,
)

__all__ = [
    "Change",
    "ChangeKind",
    "NoBaselineError",
    "PackageState",
    "Signal",
    "Snapshot",
    "accept_baseline",
    "diff_against",
    "record_scan_changes",
    "snapshot_from_result",
]
