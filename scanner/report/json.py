"""JSON output: plain dicts of the frozen values, stable key names.

The full text of every field is here (the text report shortens long details). C1 controls, bidi
and invisible characters are written as ``\\uXXXX`` escapes, so a terminal that shows the JSON
cannot be driven by them; values stay exactly what they were once parsed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scanner.models import Inventory
from scanner.report.interface import Report
from scanner.report.text import json_escape

if TYPE_CHECKING:
    from attestations.record import RecordReport
    from scanner.scan import ScanResult
    from scanner.tools.model import ToolScanResult


_FIELDS: dict[type, tuple[str, ...]] = {}


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, tuples and paths as JSON-ready values."""
    # Plain values first and field names cached per class: a 200,000-entry scan walks
    # millions of values, and dataclasses.fields() per object dominated the JSON report.
    if value is None or isinstance(value, str | bool | int | float) and not isinstance(value, Enum):
        return value
    names = _FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


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


def _finding(f: Any) -> dict[str, Any]:
    doc: dict[str, Any] = to_jsonable(f)
    doc["evidence"] = dict(f.evidence)
    return doc


def dumps(document: Any) -> str:
    """Serialise a document deterministically."""
    return json_escape(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False))


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
        """Write the scan document."""
        out.write(dumps(scan_document(result)) + "\n")

    def verify_env(self, site: Path, reports: Sequence[RecordReport], out: TextIO) -> None:
        """Write the environment check document."""
        out.write(dumps(verify_env_document(site, reports)) + "\n")

    def tool_scan(self, result: ToolScanResult, out: TextIO) -> None:
        """Write the tool scan document (chainwatch.tools-scan/1)."""
        from scanner.report.tools import tool_scan_json

        out.write(tool_scan_json(result) + "\n")
