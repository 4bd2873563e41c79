"""Rendering a scan of a 200,000-entry lockfile: the text report vs the JSON report.

Before: the text report used a measuring table widget; a 200,000-row scan took 137 s to print
(about 0.5 ms per row, all of it measuring and markup-parsing cells). Now it writes word-wrapped
lines, linear in the rows. Baseline in the same run: the JSON report of the same result (the cost
of walking every value once). Also printed: the text report at a tenth of the rows, to show the
growth is linear (ratio ~10), and with hostile text in every row (cleaning costs little).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attestations.result import PublisherIdentity, Status  # noqa: E402
from scanner.models import (  # noqa: E402
    Agent,
    AgentInventory,
    Component,
    EvidenceKind,
    Finding,
    Inventory,
    Severity,
    VersionEvidence,
)
from scanner.report.formats import report_for
from scanner.report.interface import ReportOptions  # noqa: E402
from scanner.scan import ScanResult  # noqa: E402
from scanner.verify import Verdict  # noqa: E402

ENTRIES = 200_000
_STATUSES = [Status.NO_ATTESTATION, Status.VERIFIED, Status.FETCH_FAILED, Status.UNRESOLVED]
_IDENTITY = PublisherIdentity("github", repository="https://github.com/o/r", workflow="r.yml")


def _result(n: int, *, hostile: bool = False) -> ScanResult:
    extra = "\x1b[2J[bold]x[/]\u202e" if hostile else ""
    comps = [
        Component(
            purl=f"pkg:npm/bench-{i}@1.0.{i % 97}",
            ecosystem="npm",
            name=f"bench-{i}{extra}",
            version=f"1.0.{i % 97}",
            evidence=VersionEvidence(EvidenceKind.LOCKFILE, "package-lock.json", "packages"),
        )
        for i in range(n)
    ]
    verdicts = {}
    for i, c in enumerate(comps):
        status = _STATUSES[i % len(_STATUSES)]
        identity = _IDENTITY if status is Status.VERIFIED else None
        reason = "no provenance (no registry signature)" + extra
        verdicts[c.purl] = Verdict(c, status, reason, identity)
    findings = [
        ("lock", Finding("CW202", Severity.LOW, c.purl, f"{c.name}: no provenance"))
        for c in comps[: n // 10]
    ]
    agent = AgentInventory(Agent("lock", "lockfile agent"), packages=tuple(comps))
    return ScanResult(Inventory((agent,)), verdicts, findings, scan_id=1)


def _time(fmt: str, result: ScanResult) -> tuple[float, int]:
    out = io.StringIO()
    start = time.perf_counter()
    report_for(fmt, ReportOptions(width=80)).scan(result, out)
    return time.perf_counter() - start, len(out.getvalue())


def main() -> None:
    """Print render times and ratios."""
    big = _result(ENTRIES)
    small = _result(ENTRIES // 10)
    hostile = _result(ENTRIES, hostile=True)
    json_s, json_bytes = _time("json", big)
    table_s, table_bytes = _time("table", big)
    small_s, _ = _time("table", small)
    hostile_s, _ = _time("table", hostile)
    print(f"entries:                         {ENTRIES:,} (+{ENTRIES // 10:,} findings)")
    print(f"json report (baseline):          {json_s:6.2f} s  {json_bytes / 1e6:6.1f} MB")
    print(f"table report:                    {table_s:6.2f} s  {table_bytes / 1e6:6.1f} MB")
    print(f"table / json:                    {table_s / json_s:6.2f}x")
    print(f"table at {ENTRIES // 10:,} entries:          {small_s:6.2f} s")
    print(f"growth for 10x rows:             {table_s / small_s:6.2f}x (linear = 10)")
    print(f"table, hostile text in each row: {hostile_s:6.2f} s")
    print("before (rich Table, same data):  ~137 s measured; ~0.5 ms per row at 20,000 rows")


if __name__ == "__main__":
    main()
