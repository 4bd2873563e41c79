"""Pure publisher-identity checks: trust on first use against the stored identity.

1. Several verified versions of one package in this scan with different identities: changed.
2. A stored attested identity and now a different one: changed (the baseline is kept, so the
   finding repeats until someone accepts the new publisher with ``chainwatch trust accept``).
3. A stored attested identity and now no attestation: attestation lost.
4. Otherwise the current identity (or its absence) becomes the baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict

from attestations.identity import compare_identities
from attestations.result import PublisherIdentity, Status
from scanner.checks.codes import Code, finding
from scanner.models import Finding
from scanner.store import IdentityUpdate, StoredIdentity
from scanner.verdict import Verdict


def identity_from_dict(data: Mapping[str, str | None]) -> PublisherIdentity:
    """Rebuild an identity stored as JSON (unknown keys ignored)."""
    known = PublisherIdentity.__dataclass_fields__
    return PublisherIdentity(**{k: v for k, v in data.items() if k in known})  # type: ignore[arg-type]


def identity_checks(
    verdicts: Iterable[Verdict], stored: Mapping[str, StoredIdentity]
) -> tuple[dict[str, tuple[Finding, ...]], list[IdentityUpdate]]:
    """Findings per purl, and the identities to remember."""
    by_key: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if v.component.ecosystem in {"pypi", "npm"} and v.status in {
            Status.VERIFIED,
            Status.NO_ATTESTATION,
        }:
            by_key.setdefault(v.component.key, []).append(v)
    findings: dict[str, tuple[Finding, ...]] = {}
    updates: list[IdentityUpdate] = []
    for key, group in by_key.items():
        group.sort(key=lambda v: v.component.version or "")
        current = [v for v in group if v.identity is not None]
        out: list[Finding] = []
        distinct = {v.identity for v in current}
        if len(distinct) > 1:
            for v in current[1:]:
                changed = compare_identities(current[0].identity, v.identity)
                if changed:
                    out.append(_changed(v, current[0].identity, changed, "in this scan"))
        previous = stored.get(key)
        baseline = identity_from_dict(previous.identity) if previous and previous.identity else None
        keep_baseline = False
        for v in group:
            if baseline is None:
                continue
            if v.identity is None:
                out.append(
                    finding(
                        Code.ATTESTATION_LOST,
                        v.component.purl,
                        f"{v.component.name} {v.component.version} has no attestation, but earlier "
                        f"releases were attested by {baseline.describe()}",
                        previous_version=previous.last_version if previous else None,
                    )
                )
                keep_baseline = True
                continue
            changed = compare_identities(baseline, v.identity)
            if changed:
                out.append(
                    _changed(
                        v,
                        baseline,
                        changed,
                        f"baseline {previous.last_version if previous else ''}",
                    )
                )
                keep_baseline = True
        if out:
            for v in group:
                findings[v.component.purl] = tuple(f for f in out if f.subject == v.component.purl)
        if not keep_baseline and len(distinct) <= 1:
            newest = group[-1]
            updates.append(
                IdentityUpdate(
                    key,
                    newest.component.version,
                    asdict(newest.identity) if newest.identity else None,
                )
            )
    return findings, updates


def _changed(
    v: Verdict, before: PublisherIdentity | None, fields: tuple[str, ...], against: str
) -> Finding:
    return finding(
        Code.PUBLISHER_CHANGED,
        v.component.purl,
        f"publisher of {v.component.name} changed ({', '.join(fields)}) against {against}: "
        f"{before.describe() if before else '?'} -> {v.identity.describe() if v.identity else '?'}",
        before=before.describe() if before else None,
        after=v.identity.describe() if v.identity else None,
    )
