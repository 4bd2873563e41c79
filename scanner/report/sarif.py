"""SARIF 2.1.0: one rule per finding code (the code is the stable rule id), one result per finding.

Each result points at the config or lockfile line that declared the component (else the file the
finding names) and carries a partial fingerprint built from the code, the subject and the agent,
so a code-scanning service follows the same finding across runs and line moves.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scanner.checks.codes import DEFAULT_SEVERITY, Code
from scanner.models import Finding, Severity, SourceLocation
from scanner.report._jsonable import dumps
from scanner.report._results import places
from scanner.report._uses import chainwatch_version
from scanner.report.interface import Report, ResultReport

if TYPE_CHECKING:
    from scanner.scan import ScanResult

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT = "chainwatch/v1"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SCORE = {  # GitHub code scanning reads "security-severity" (CVSS-like, 0.0-10.0)
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def rule(code: Code) -> dict[str, Any]:
    """The SARIF rule of a finding code: its id never changes."""
    name = code.name.replace("_", " ").lower()
    severity = DEFAULT_SEVERITY[code]
    return {
        "id": code.value,
        "name": "".join(w.capitalize() for w in code.name.split("_")),
        "shortDescription": {"text": f"{code.value}: {name}"},
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {"security-severity": _SCORE[severity], "tags": ["security", "supply-chain"]},
    }


def fingerprint(agent: str | None, f: Finding) -> str:
    """Stable across runs: code, subject and agent, never the line or the message."""
    return hashlib.sha256(f"{f.code}\0{f.subject}\0{agent or ''}".encode()).hexdigest()


def _location(loc: SourceLocation, root: Path) -> dict[str, Any]:
    path = Path(loc.path)
    try:
        artifact = {"uri": path.resolve().relative_to(root).as_posix(), "uriBaseId": "SRCROOT"}
    except ValueError:
        artifact = {"uri": path.resolve().as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line:
        physical["region"] = {"startLine": loc.line}
    return {"physicalLocation": physical}


def sarif_document(result: ScanResult, root: Path) -> dict[str, Any]:
    """The SARIF log of a scan or check; paths under ``root`` are relative to SRCROOT."""
    table = places(result)
    codes = {c.value: c for c in Code}
    used = sorted({f.code for _, f in result.findings if f.code in codes})
    index = {code: i for i, code in enumerate(used)}
    results = []
    for agent, f in result.findings:
        place = table.get(f.subject)
        locs = place.locations if place is not None else ()
        where = dict(f.evidence).get("source")  # a baseline change: "file:line"
        if not locs and where and where.rpartition(":")[2].isdigit():
            path, _, line = where.rpartition(":")
            locs = (SourceLocation(path, int(line)),)
        if not locs and not f.subject.startswith("pkg:") and "://" not in f.subject:
            locs = (SourceLocation(f.subject),)  # a finding about a file names the file
        entry: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.subject}: {f.message}"},
            "locations": [_location(loc, root) for loc in locs],
            "partialFingerprints": {FINGERPRINT: fingerprint(agent, f)},
            "properties": {"severity": f.severity.value, "agent": agent, "subject": f.subject},
        }
        if f.code in index:
            entry["ruleIndex"] = index[f.code]
        results.append(entry)
    complete = result.check.audit_complete if result.check is not None else True
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "chainwatch",
                        "version": chainwatch_version(),
                        "rules": [rule(codes[c]) for c in used],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": root.as_uri() + "/"}},
                "invocations": [{"executionSuccessful": complete}],
                "results": results,
            }
        ],
    }


class SarifReport(ResultReport, Report):
    """SARIF 2.1.0 for code-scanning services."""

    name = "SARIF"

    def scan(self, result: ScanResult, out: TextIO) -> None:
        """Write the SARIF log (paths relative to the current folder when under it)."""
        out.write(dumps(sarif_document(result, Path.cwd().resolve())) + "\n")
