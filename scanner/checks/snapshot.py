"""A snapshot built from values (an inventory, its verifications and findings), not from rows."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.baseline import VerificationRecord
from scanner.checks.diff import ADVISORY_CODES, PackageState, Signal, Snapshot, is_risk_signal
from scanner.models import Finding, Inventory


def snapshot_of(
    scan_id: int | None,
    at: str,
    inventory: Inventory,
    verifications: Sequence[VerificationRecord],
    findings: Sequence[tuple[str | None, Finding]],
) -> Snapshot:
    """What a scan saw per agent and package, from the values it recorded."""
    by_purl = {v.purl: v for v in verifications}
    signals: dict[tuple[str | None, str], list[Signal]] = {}
    for agent_id, f in findings:
        if is_risk_signal(f.code) or f.code in ADVISORY_CODES:
            ref = dict(f.evidence).get("advisory") or f.code
            signals.setdefault((agent_id, f.subject), []).append(
                Signal(f.code, f.severity, ref, f.message)
            )
    packages: dict[tuple[str, str, str | None], PackageState] = {}
    for ai in inventory.agents:
        for c in ai.components():
            v = by_purl.get(c.purl)
            if v is None and c.version is None:
                # A floating launch: its verification names the version it resolved to.
                v = next((x for p, x in by_purl.items() if p.startswith(c.key + "@")), None)
            resolved = v.purl if v is not None else c.purl
            version = c.version
            if version is None and "@" in resolved:
                version = resolved.rsplit("@", 1)[1].split("?", 1)[0]
            found = signals.get((ai.agent.id, resolved), [])
            if resolved != c.purl:
                found = found + signals.get((ai.agent.id, c.purl), [])
            state = PackageState(
                agent=ai.agent.id,
                key=c.key,
                ecosystem=c.ecosystem,
                version=version,
                digests=tuple(
                    (a.filename or "", f"{d.algorithm}:{d.hex}")
                    for a in c.artifacts
                    for d in a.digests
                ),
                source=str(c.source) if c.source else None,
                status=v.status if v is not None else None,
                identity=v.identity if v is not None else None,
                signals=tuple(found),
            )
            # A package a server launches and a lockfile also lists is one package to the diff.
            packages.setdefault((state.agent, state.key, state.version), state)
    return Snapshot(scan_id, at, tuple(packages.values()))
