"""The one map from a verification status to its finding, and from a status to "not checked".

Every component ends in exactly one status (``attestations.result.Status``). This module is the
only place that says which finding a status raises and whether the component counts as checked:

1. ``verified``: no finding; checked.
2. ``digest-mismatch`` / ``attestation-invalid``: the verifier's precise code (CW200, CW201,
   CW205, CW206, ...) with its reason; checked (and found wanting).
3. ``no-attestation`` / ``registry-signed``: a low finding; checked: the registry answered, the
   release simply carries no build provenance.
4. ``fetch-failed`` / ``unresolved``: a finding, and the component is *not checked*. The gate
   fails on not-checked components unless they are allowed (``scanner.checks.gate``).
"""

from __future__ import annotations

from enum import StrEnum

from packageurl import PackageURL

from attestations.result import Status
from scanner.checks.codes import Code, finding
from scanner.models import Component, EvidenceKind, Finding, Inventory, VersionEvidence
from scanner.verdict import Verdict


class Unchecked(StrEnum):
    """Why a component was not checked: the categories the end-of-run summary counts."""

    FETCH_FAILED = "registry unreachable or answer unusable"
    NOT_ON_REGISTRY = "not on the registry (name or pinned version unknown)"
    CONTAINER = "container image (no OCI registry client yet)"
    REMOTE = "remote server (its code runs elsewhere)"
    LOCAL_SCRIPT = "local script or binary (hashed, not verified)"
    UNIDENTIFIED = "launch chainwatch cannot identify"
    OTHER = "no registry client for its ecosystem"


# The code a status raises when the verifier did not name a more precise one.
STATUS_CODES: dict[Status, Code | None] = {
    Status.VERIFIED: None,
    Status.DIGEST_MISMATCH: Code.DIGEST_MISMATCH,
    Status.ATTESTATION_INVALID: Code.ATTESTATION_INVALID,
    Status.NO_ATTESTATION: Code.NO_ATTESTATION,
    Status.REGISTRY_SIGNED: Code.NO_PROVENANCE,
    Status.FETCH_FAILED: Code.FETCH_FAILED,
    Status.UNRESOLVED: Code.UNRESOLVED,
}

# The codes that state each status; a verdict already carrying one has its status finding.
_STATUS_FAMILY: dict[Status, frozenset[Code]] = {
    Status.VERIFIED: frozenset(),
    Status.DIGEST_MISMATCH: frozenset({Code.DIGEST_MISMATCH}),
    Status.ATTESTATION_INVALID: frozenset(
        {
            Code.ATTESTATION_INVALID,
            Code.PUBLISHER_CHANGED,
            Code.IDENTITY_PIN_MISMATCH,
            Code.REGISTRY_SIGNATURE_INVALID,
        }
    ),
    Status.NO_ATTESTATION: frozenset({Code.NO_ATTESTATION}),
    Status.REGISTRY_SIGNED: frozenset({Code.NO_PROVENANCE}),
    Status.FETCH_FAILED: frozenset({Code.FETCH_FAILED}),
    Status.UNRESOLVED: frozenset({Code.UNRESOLVED}),
}

UNIDENTIFIED_ECOSYSTEM = "unidentified"  # launch parts the inventory could not name


def unchecked(verdict: Verdict) -> Unchecked | None:
    """The reason ``verdict``'s component was not checked, or None when it was."""
    if verdict.status is Status.FETCH_FAILED:
        return Unchecked.FETCH_FAILED
    if verdict.status is not Status.UNRESOLVED:
        return None
    ecosystem = verdict.component.ecosystem
    if ecosystem in {"pypi", "npm"}:
        return Unchecked.NOT_ON_REGISTRY
    return {
        "oci": Unchecked.CONTAINER,
        "remote": Unchecked.REMOTE,
        "local": Unchecked.LOCAL_SCRIPT,
        UNIDENTIFIED_ECOSYSTEM: Unchecked.UNIDENTIFIED,
    }.get(ecosystem, Unchecked.OTHER)


def status_finding(verdict: Verdict) -> Finding | None:
    """The one finding ``verdict``'s status raises (None for verified, or when already carried)."""
    family = _STATUS_FAMILY[verdict.status]
    if any(f.code in family and f.subject == verdict.component.purl for f in verdict.findings):
        return None
    default = STATUS_CODES[verdict.status]
    if default is None:
        return None
    code = Code(verdict.code) if verdict.code else default
    c = verdict.component
    label = f"{c.name} {c.version}" if c.version else c.name
    why = unchecked(verdict)
    if why is not None:
        return finding(code, c.purl, f"not checked: {label}: {verdict.reason}", category=why.name)
    return finding(code, c.purl, f"{label}: {verdict.reason}")


def component_findings(verdict: Verdict) -> tuple[Finding, ...]:
    """Every finding one verdict raises: its status finding first, then the release's risks."""
    status = status_finding(verdict)
    return (status, *verdict.findings) if status is not None else verdict.findings


def unidentified(inventory: Inventory) -> list[tuple[str, Verdict]]:
    """Launch parts the inventory could not name, as unresolved components (agent id first).

    ``python -c``, ``sh -c`` with inline code, a bare command found on PATH at launch, a launcher
    chainwatch does not know: each still runs code, so each is a component that was not checked,
    never only a skipped line.
    """
    out: list[tuple[str, Verdict]] = []
    for ai in inventory.agents:
        for si in ai.servers:
            for n, k in enumerate(si.skipped):
                where = str(k.source or si.server.location)
                purl = PackageURL(
                    "generic",
                    None,
                    si.server.name or "server",
                    None,
                    {"unidentified": f"{where}#{n}", "agent": ai.agent.id},
                ).to_string()
                component = Component(
                    purl=purl,
                    ecosystem=UNIDENTIFIED_ECOSYSTEM,
                    name=si.server.name,
                    version=None,
                    evidence=VersionEvidence(EvidenceKind.UNRESOLVED, where, k.subject),
                    source=k.source,
                )
                out.append((ai.agent.id, Verdict(component, Status.UNRESOLVED, k.reason)))
    return out
