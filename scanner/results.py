"""The result of a scan, apart from the pipeline that makes it (the diff reads it too)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from attestations.result import Status
from scanner.checks.check import CheckOutcome
from scanner.checks.gate import GateDecision
from scanner.models import Finding, Inventory
from scanner.registry.uses import RegistryUse
from scanner.verdict import Verdict


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found, keyed by the component purl as inventoried."""

    inventory: Inventory
    verdicts: dict[str, Verdict]
    findings: list[tuple[str | None, Finding]] = field(default_factory=list)
    scan_id: int | None = None
    registries: tuple[RegistryUse, ...] = ()  # which registry each component was checked at
    gate: GateDecision | None = None  # set by whoever applies a gate policy (the CLI)
    check: CheckOutcome | None = None  # set by `chainwatch check`: policy, gate, exit code

    def status_counts(self) -> dict[str, int]:
        """How many unique components ended in each status."""
        counts = Counter(v.status.value for v in self.verdicts.values())
        return {s.value: counts.get(s.value, 0) for s in Status}
