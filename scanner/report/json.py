"""JSON output: plain dicts of the frozen values, stable key names.

The full text of every field is here (the text report shortens long details). C1 controls, bidi
and invisible characters are written as ``\\uXXXX`` escapes, so a terminal that shows the JSON
cannot be driven by them; values stay exactly what they were once parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scanner.gcpause import no_cyclic_gc
from scanner.models import Inventory
from scanner.report._jsonable import _finding, dumps, to_jsonable
from scanner.report.interface import Report

if TYPE_CHECKING:
    from attestations.record import RecordReport
    from scanner.scan import ScanResult
    from scanner.tools.model import ToolScanResult


def inventory_document(inventory: Inventory, *, scan_id: int | None = None) -> dict[str, Any]:
    """The inventory as a JSON document."""
    agents = []
    for ai in inventory.agents:
        doc = to_jsonable(ai)
        doc["agent"]["pins"] = dict(ai.agent.pins)
        for si, sdoc in zip(ai.servers, doc["servers"], strict=True):
            sdoc["findings"] = [_finding(f) for f in si.findings]
        doc["findings"] = [_finding(f) for f in ai.findings]
        agents.append(doc)
    return {
        "schema": "chainwatch.inventory/1",
        "scan_id": scan_id,
        "agents": agents,
        "errors": list(inventory.errors),
    }


def scan_document(result: ScanResult) -> dict[str, Any]:
    """The scan as a JSON document: inventory, one verdict per component, findings."""
    return {
        "schema": "chainwatch.scan/1",
        "scan_id": result.scan_id,
        "summary": result.status_counts(),
        "components": [
            {
                "purl": purl,
                "resolved_purl": v.component.purl,
                "version": v.component.version,
                "evidence": to_jsonable(v.component.evidence),
                "status": v.status.value,
                "reason": v.reason,
                "identity": to_jsonable(v.identity),
            }
            for purl, v in result.verdicts.items()
        ],
        "findings": [{"agent": agent_id, **_finding(f)} for agent_id, f in result.findings],
        "registries": [to_jsonable(u) for u in result.registries],
        "gate": _gate(result),
        "inventory": inventory_document(result.inventory),
    }


def _gate(result: ScanResult) -> dict[str, Any] | None:
    """The gate's decision, exit code and last lines (None when no gate was applied)."""
    if result.gate is None:
        return None
    doc: dict[str, Any] = to_jsonable(result.gate)
    return doc | {"exit_code": result.gate.exit_code, "lines": result.gate.lines()}


def verify_env_document(site: Path, reports: Sequence[RecordReport]) -> dict[str, Any]:
    """An environment check as a JSON document."""
    return {
        "schema": "chainwatch.verify-env/1",
        "site_packages": str(site),
        "distributions": len(reports),
        "failed": sum(1 for r in reports if not r.ok),
        "reports": to_jsonable(list(reports)),
    }


class JsonReport(Report):
    """Machine-readable JSON documents (schemas chainwatch.inventory/1, scan/1, verify-env/1)."""

    def inventory(self, inventory: Inventory, out: TextIO, *, scan_id: int | None = None) -> None:
        """Write the inventory document."""
        out.write(dumps(inventory_document(inventory, scan_id=scan_id)) + "\n")

    def scan(self, result: ScanResult, out: TextIO) -> None:
        """Write the scan document, or the check document (chainwatch.report/1) of a check."""
        if result.check is not None:
            from scanner.report.check_json import check_document

            with no_cyclic_gc():  # thousands of rows, columns and texts, none in a cycle
                text = dumps(check_document(result))
            out.write(text + "\n")
            return
        out.write(dumps(scan_document(result)) + "\n")

    def verify_env(self, site: Path, reports: Sequence[RecordReport], out: TextIO) -> None:
        """Write the environment check document."""
        out.write(dumps(verify_env_document(site, reports)) + "\n")

    def tool_scan(self, result: ToolScanResult, out: TextIO) -> None:
        """Write the tool scan document (chainwatch.tools-scan/1)."""
        from scanner.report.tools import tool_scan_json

        out.write(tool_scan_json(result) + "\n")
