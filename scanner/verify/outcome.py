"""Which files of a release to verify, and the one verdict their checks add up to."""

from __future__ import annotations

from attestations.identity_rules import matches_pin
from attestations.result import AttestationCheck, Status
from scanner.checks.codes import Code
from scanner.models import Component
from scanner.registry.interface import FileFacts, ReleaseFacts
from scanner.verdict import Verdict

MAX_FILES_VERIFIED = 4  # per PyPI release: the locked files, else a representative few


def conclude(
    component: Component,
    checks: list[tuple[FileFacts, AttestationCheck]],
    pins: tuple[dict[str, str], ...],
    total_files: int,
) -> Verdict:
    """One verdict from the checks of a release's files: one identity, matching the pins."""
    failed = [(f, c) for f, c in checks if not c.ok]
    if failed:
        reason = "; ".join(f"{f.filename}: {c.reason}" for f, c in failed)
        return Verdict(component, Status.ATTESTATION_INVALID, reason, failed[0][1].identity)
    identities = {c.identity for _, c in checks if c.identity is not None}
    if not identities:
        reason = "attestations verified but name no publisher identity"
        return Verdict(component, Status.ATTESTATION_INVALID, reason)
    if len(identities) > 1:
        reason = f"files are signed by {len(identities)} different identities"
        return Verdict(component, Status.ATTESTATION_INVALID, reason, code=Code.PUBLISHER_CHANGED)
    identity = identities.pop()
    if pins and not any(matches_pin(identity, pin) for pin in pins):
        reason = (
            f"publisher {identity.describe()} matches none of the lockfile's attestation-identities"
        )
        return Verdict(
            component, Status.ATTESTATION_INVALID, reason, identity, code=Code.IDENTITY_PIN_MISMATCH
        )
    reason = f"{len(checks)}/{total_files} file(s) attested by {identity.describe()}"
    return Verdict(component, Status.VERIFIED, reason, identity)


def files_to_verify(component: Component, release: ReleaseFacts) -> list[FileFacts]:
    """The files this component installs: named or hashed by its lockfile, else a sample."""
    named = {a.filename for a in component.artifacts if a.filename}
    hashed = {d.hex.lower() for a in component.artifacts for d in a.digests}
    chosen = [
        f
        for f in release.files
        if f.filename in named
        or (f.sha256 or "").lower() in hashed
        or (f.sha512 or "").lower() in hashed
    ]
    if chosen:
        return chosen
    wheels = [f for f in release.files if f.filename.endswith(".whl")]
    sdists = [f for f in release.files if not f.filename.endswith(".whl")]
    return (wheels[:1] + sdists[:1]) or list(release.files)


def not_verifiable(component: Component) -> str:
    """Why a component with no registry client is not verified."""
    if component.ecosystem == "local":
        sha = "sha256 recorded" if "checksum=" in component.purl else "file not found"
        return f"local script {component.path or component.name}: no registry to verify ({sha})"
    if component.ecosystem == "remote":
        return f"remote server {component.url or component.name}: code runs elsewhere"
    if component.ecosystem == "oci":
        return "container images are not verified yet (no registry client for OCI)"
    return f"no registry client for {component.ecosystem}"
