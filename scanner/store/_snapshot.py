"""Reading a recorded scan back: as an inventory to rescan, and as a diff snapshot of it."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from scanner.baseline import VerificationRecord, identity_from_dict
from scanner.models import (
    Agent,
    AgentInventory,
    Artifact,
    Component,
    Digest,
    EvidenceKind,
    Finding,
    Inventory,
    Scope,
    ServerEntry,
    ServerInventory,
    Severity,
    SourceLocation,
    Transport,
    VersionEvidence,
)

if TYPE_CHECKING:
    from attestations.result import PublisherIdentity
    from scanner.checks.diff import Snapshot
    from scanner.store.conn import Conn


def _dicts(conn: Conn, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _identity(text: str | None) -> PublisherIdentity | None:
    return identity_from_dict(json.loads(text)) if text else None


def read_snapshot(conn: Conn, scan_id: int, at: str) -> Snapshot:
    """The packages of one scan, with their verification and findings, per agent."""
    verifications = [
        VerificationRecord(r["purl"], r["status"], r["reason"], _identity(r["identity"]))
        for r in _dicts(
            conn, "SELECT * FROM verifications WHERE scan_id = ? ORDER BY id", [scan_id]
        )
    ]
    findings = [
        (
            r["agent_id"],
            Finding(
                r["code"],
                Severity(r["severity"]),
                r["subject"],
                r["message"],
                tuple((str(k), str(v)) for k, v in json.loads(r["evidence"]).items()),
            ),
        )
        for r in _dicts(conn, "SELECT * FROM findings WHERE scan_id = ? ORDER BY id", [scan_id])
    ]
    from scanner.checks.snapshot import snapshot_of  # the diff's model loads with a baseline

    return snapshot_of(scan_id, at, read_inventory(conn, scan_id), verifications, findings)


def read_inventory(conn: Conn, scan_id: int) -> Inventory:
    """The inventory one scan recorded, rebuilt as values (to verify it again)."""
    servers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _dicts(conn, "SELECT * FROM servers WHERE scan_id = ? ORDER BY id", [scan_id]):
        servers[r["agent_id"]].append(r)
    components: dict[tuple[str, str | None], list[Component]] = defaultdict(list)
    for r in _dicts(conn, "SELECT * FROM components WHERE scan_id = ? ORDER BY id", [scan_id]):
        components[(r["agent_id"], r["server"])].append(_component(r))
    agents = []
    for r in _dicts(conn, "SELECT * FROM agents WHERE scan_id = ? ORDER BY position", [scan_id]):
        agent = Agent(
            id=r["agent_id"],
            name=r["name"],
            config_paths=tuple(json.loads(r["config_paths"])),
            lockfile_paths=tuple(json.loads(r["lockfile_paths"])),
            purpose=r["purpose"],
            pact=tuple(json.loads(r["pact"])),
            origin=r["origin"],
            limits=tuple(sorted(json.loads(r["limits"]).items())),
        )
        entries = tuple(
            ServerInventory(_server(s), tuple(components.pop((agent.id, s["name"]), ())))
            for s in servers.get(agent.id, [])
        )
        packages = tuple(components.pop((agent.id, None), ()))
        agents.append(AgentInventory(agent, entries, packages))
    return Inventory(tuple(agents))


def _server(r: dict[str, Any]) -> ServerEntry:
    return ServerEntry(
        client=r["client"],
        config_path=r["config_path"],
        name=r["name"],
        transport=Transport(r["transport"]),
        scope=Scope(r["scope"]),
        line=r["line"],
        command=r["command"],
        args=tuple(json.loads(r["args"])),
        env_names=tuple(json.loads(r["env_names"])),
        url=r["url"],
        project=r["project"],
        enabled=bool(r["enabled"]),
    )


def _component(r: dict[str, Any]) -> Component:
    kind = EvidenceKind(r["evidence_kind"])
    purl, version = r["purl"], r["version"]
    if kind is EvidenceKind.REGISTRY_LATEST:
        # Floating: ask the registry again, so that a new release shows as an upgrade.
        purl, version = r["purl_key"], None
    path, _, line = (r["source"] or "").rpartition(":")
    source = None
    if r["source"]:
        source = SourceLocation(path, int(line)) if line.isdigit() else SourceLocation(r["source"])
    return Component(
        purl=purl,
        ecosystem=r["ecosystem"],
        name=r["name"],
        version=version,
        evidence=VersionEvidence(kind, r["evidence_source"], r["evidence_detail"]),
        requirement=r["requirement"],
        artifacts=tuple(
            Artifact(
                a.get("filename"),
                a.get("url"),
                tuple(Digest(d["algorithm"], d["hex"], d["raw"]) for d in a.get("digests", ())),
            )
            for a in json.loads(r["artifacts"])
        ),
        source=source,
        direct=bool(r["direct"]),
        dev=bool(r["dev"]),
    )
