"""JSON output: plain dicts of the frozen values, stable key names."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import TYPE_CHECKING, Any

from scanner.models import Inventory

if TYPE_CHECKING:
    # Only a type: importing the scan pipeline here would load sigstore for `inventory`.
    from scanner.scan import ScanResult


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, tuples and paths as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
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
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False)


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
        "inventory": inventory_document(result.inventory),
    }
