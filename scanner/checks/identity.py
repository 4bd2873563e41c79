"""Pure publisher-identity checks: trust on first use against the remembered identity.

1. Several verified versions of one package in this scan with different identities: changed.
2. A pinned identity (``chainwatch trust pin``): every version must match every field the pin
   sets; no attestation is "attestation lost". A pin is never replaced by a scan.
3. A remembered attested identity and now a different one: changed (the baseline is kept, so the
   finding repeats until someone runs ``chainwatch trust accept``).
4. A remembered attested identity and now no attestation: attestation lost.
5. Remembered as unattested and now attested: a finding that names the new identity, which
   becomes the baseline (recorded in the history with this scan).
6. Otherwise the current identity (or its absence) becomes the baseline. Versions are ordered
   by PEP 440 / SemVer, so "the newest" is the newest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attestations.identity_rules import compare_identities, identity_mismatches
from attestations.result import PublisherIdentity, Status
from scanner.baseline import IdentityAction, IdentityUpdate, StoredIdentity
from scanner.checks.codes import Code, finding
from scanner.checks.versions import version_key
from scanner.models import Finding
from scanner.verdict import Verdict

_JUDGED = frozenset({Status.VERIFIED, Status.NO_ATTESTATION, Status.REGISTRY_SIGNED})


def identity_checks(
    verdicts: Iterable[Verdict], stored: Mapping[str, StoredIdentity]
) -> tuple[dict[str, tuple[Finding, ...]], list[IdentityUpdate]]:
    """Findings per purl, and the identities to remember."""
    by_key: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if v.component.ecosystem in {"pypi", "npm"} and v.status in _JUDGED:
            by_key.setdefault(v.component.key, []).append(v)
    findings: dict[str, tuple[Finding, ...]] = {}
    updates: list[IdentityUpdate] = []
    for key, group in by_key.items():
        group.sort(key=lambda v: version_key(v.component.ecosystem, v.component.version))
        out = _within_scan(group)
        previous = stored.get(key)
        against, keep = _against_baseline(group, previous)
        out.extend(against)
        if out:
            for v in group:
                findings[v.component.purl] = tuple(f for f in out if f.subject == v.component.purl)
        distinct = {v.identity for v in group if v.identity is not None}
        if keep or len(distinct) > 1 or (previous is not None and previous.pinned):
            continue
        newest = group[-1]
        action = IdentityAction.FIRST_USE
        if previous is not None:
            gained = previous.identity is None and newest.identity is not None
            action = IdentityAction.ATTESTED if gained else IdentityAction.UPDATED
        updates.append(IdentityUpdate(key, newest.component.version, newest.identity, action))
    return findings, updates


def _within_scan(group: list[Verdict]) -> list[Finding]:
    current = [v for v in group if v.identity is not None]
    out: list[Finding] = []
    for v in current[1:]:
        changed = compare_identities(current[0].identity, v.identity)
        if changed:
            out.append(_changed(v, current[0].identity, changed, "in this scan"))
    return out


def _against_baseline(
    group: list[Verdict], previous: StoredIdentity | None
) -> tuple[list[Finding], bool]:
    """Findings against the remembered identity, and whether the baseline must be kept."""
    if previous is None:
        return [], False
    baseline = previous.identity
    out: list[Finding] = []
    keep = False
    for v in group:
        c = v.component
        if baseline is None:
            if v.identity is not None:
                out.append(
                    finding(
                        Code.IDENTITY_FIRST_ATTESTED,
                        c.purl,
                        f"{c.name} {c.version} is now attested by {v.identity.describe()}; "
                        f"earlier releases were not attested. This identity is trusted from now "
                        "on: check it is the project's own",
                        identity=v.identity.describe(),
                        previous_version=previous.last_version,
                    )
                )
            continue
        if v.identity is None:
            what = "is pinned to" if previous.pinned else "earlier releases were attested by"
            out.append(
                finding(
                    Code.ATTESTATION_LOST,
                    c.purl,
                    f"{c.name} {c.version} has no provenance, but {what} {baseline.describe()}",
                    previous_version=previous.last_version,
                )
            )
            keep = True
            continue
        if previous.pinned:
            changed = tuple(identity_mismatches(baseline, v.identity))
            label = "the pin set by `chainwatch trust pin`"
        else:
            changed = compare_identities(baseline, v.identity)
            label = f"baseline {previous.last_version or ''}".rstrip()
        if changed:
            out.append(_changed(v, baseline, changed, label))
            keep = True
    return out, keep


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
