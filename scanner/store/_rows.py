"""Rows of the inventory tables for one scan (agents, servers, components, skipped, errors)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attestations.result import PublisherIdentity
    from scanner.baseline import VerificationRecord
    from scanner.models import Component, Finding, Inventory, Skipped


def inventory_rows(
    scan_id: int, inventory: Inventory
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table, rows) pairs for the inventory of one scan, in insertion order."""
    agents: list[dict[str, Any]] = []
    servers: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for position, ai in enumerate(inventory.agents):
        a = ai.agent
        agents.append(
            {
                "scan_id": scan_id,
                "agent_id": a.id,
                "name": a.name,
                "origin": a.origin,
                "purpose": a.purpose,
                "pact": json.dumps(list(a.pact)),
                "limits": json.dumps(dict(a.limits)),
                "config_paths": json.dumps(list(a.config_paths)),
                "lockfile_paths": json.dumps(list(a.lockfile_paths)),
                "position": position,  # the order of agents comes back as recorded
            }
        )
        for si in ai.servers:
            s = si.server
            servers.append(
                {
                    "scan_id": scan_id,
                    "agent_id": a.id,
                    "client": s.client,
                    "config_path": s.config_path,
                    "line": s.line,
                    "scope": s.scope.value,
                    "name": s.name,
                    "transport": s.transport.value,
                    "command": s.command,
                    "args": json.dumps(list(s.args)),
                    "env_names": json.dumps(list(s.env_names)),
                    "url": s.url,
                    "project": s.project,
                    "enabled": int(s.enabled),
                }
            )
            components.extend(_component_row(scan_id, a.id, s.name, c) for c in si.components)
            skipped.extend(_skipped_row(scan_id, a.id, k) for k in si.skipped)
        components.extend(_component_row(scan_id, a.id, None, c) for c in ai.packages)
        skipped.extend(_skipped_row(scan_id, a.id, k) for k in ai.skipped)
    yield "agents", agents
    yield "servers", servers
    yield "components", components
    yield "skipped", skipped
    errors = [e for ai in inventory.agents for e in ai.errors] + list(inventory.errors)
    yield "scan_errors", [{"scan_id": scan_id, "message": e} for e in errors]


def _skipped_row(scan_id: int, agent_id: str, k: Skipped) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "agent_id": agent_id,
        "subject": k.subject,
        "reason": k.reason,
        "source": str(k.source) if k.source else None,
    }


def _component_row(scan_id: int, agent_id: str, server: str | None, c: Component) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "agent_id": agent_id,
        "server": server,
        "purl": c.purl,
        "purl_key": c.key,
        "ecosystem": c.ecosystem,
        "name": c.name,
        "version": c.version,
        "evidence_kind": c.evidence.kind.value,
        "evidence_source": c.evidence.source,
        "evidence_detail": c.evidence.detail,
        "requirement": c.requirement,
        "artifacts": json.dumps([asdict(a) for a in c.artifacts]),
        "source": str(c.source) if c.source else None,
        "direct": int(c.direct),
        "dev": int(c.dev),
    }


def finding_rows(
    scan_id: int, findings: Sequence[tuple[str | None, Finding]]
) -> Iterator[dict[str, Any]]:
    """Rows of the findings table for one scan."""
    for agent_id, f in findings:
        yield {
            "scan_id": scan_id,
            "agent_id": agent_id,
            "code": f.code,
            "severity": f.severity.value,
            "subject": f.subject,
            "message": f.message,
            "evidence": json.dumps(dict(f.evidence)),
        }


def verification_rows(
    scan_id: int, verifications: Sequence[VerificationRecord]
) -> Iterator[dict[str, Any]]:
    """Rows of the verifications table for one scan."""
    for v in verifications:
        yield {
            "scan_id": scan_id,
            "purl": v.purl,
            "status": v.status,
            "reason": v.reason,
            "identity": identity_json(v.identity),
        }


def identity_json(identity: PublisherIdentity | None) -> str | None:
    """An identity as the JSON text the store keeps (None stays None)."""
    return json.dumps(asdict(identity), sort_keys=True) if identity is not None else None
