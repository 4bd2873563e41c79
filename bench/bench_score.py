"""Scoring a fleet from a real SQLite store: 500 agents x 30 components, one scan each.

Measured: ``fleet_score`` as of now (the as-of reads, facts, every agent's and component's
score; behaviour left out here: ``scanner.behavior`` has its own bench). Baseline in the same
run: only the store reads the score needs (``agent_scans``, ``stored_inventory``,
``scan_findings``, ``scan_verifications`` of every scan), so the ratio is what the score itself
adds. The fleet is made here, seeded: a tenth of the packages carry a finding.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.baseline import VerificationRecord  # noqa: E402
from scanner.checks.codes import Code, finding  # noqa: E402
from scanner.models import (  # noqa: E402
    Agent,
    AgentInventory,
    Component,
    EvidenceKind,
    Inventory,
    VersionEvidence,
)
from scanner.score.compute import fleet_score  # noqa: E402
from scanner.store import open_store  # noqa: E402

AGENTS, COMPONENTS, SCANS_PER_WRITE = 500, 30, 50
AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CODES = (Code.NO_ATTESTATION, Code.FLOATING_LAUNCH, Code.VULNERABILITY, Code.YANKED)


def _scan(rng: random.Random, first: int) -> tuple[Inventory, list, list]:
    agents, findings, verifications = [], [], []
    for a in range(first, first + SCANS_PER_WRITE):
        parts = []
        for c in range(COMPONENTS):
            name = f"pkg{rng.randrange(2000)}"
            purl = f"pkg:pypi/{name}@1.{c}"
            evidence = VersionEvidence(EvidenceKind.LOCKFILE, "uv.lock")
            parts.append(Component(purl, "pypi", name, f"1.{c}", evidence))
            verifications.append(
                VerificationRecord(purl, rng.choice(["verified", "no-attestation"]), "bench")
            )
            if rng.random() < 0.1:
                findings.append((f"agent{a}", finding(rng.choice(CODES), purl, "bench finding")))
        agents.append(AgentInventory(Agent(f"agent{a}", f"agent{a}"), packages=tuple(parts)))
    return Inventory(tuple(agents)), findings, verifications


def main() -> None:
    """Build the store, then time the baseline reads and the whole score."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.db") as store:
        for first in range(0, AGENTS, SCANS_PER_WRITE):
            inventory, found, verified = _scan(rng, first)
            store.record_scan(kind="scan", started_at=AT.isoformat(), finished_at=AT.isoformat(),
                              inputs={"audited": True}, inventory=inventory, findings=found,
                              verifications=verified)  # fmt: skip
        t0 = time.perf_counter()
        for s in {s.scan_id for s in store.agent_scans(AT.isoformat())}:
            store.stored_inventory(s)
            store.scan_findings(s)
            store.scan_verifications(s)
        reads = time.perf_counter() - t0
        t0 = time.perf_counter()
        fleet = fleet_score(store, as_of=AT)
        scored = time.perf_counter() - t0
    subjects = len(fleet.agents) + len(fleet.components)
    print(f"store reads only (baseline): {reads:.2f} s")
    print(f"fleet_score: {len(fleet.agents)} agents, {len(fleet.components)} components "
          f"in {scored:.2f} s ({scored / subjects * 1000:.2f} ms per score)")  # fmt: skip
    print(f"ratio score / reads: {scored / reads:.1f}x")


if __name__ == "__main__":
    main()
