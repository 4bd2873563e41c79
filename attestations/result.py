"""Outcomes of verification: distinct states, only one of which is a pass."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Final verification status of a component. Only VERIFIED is a pass."""

    VERIFIED = "verified"
    ATTESTATION_INVALID = "attestation-invalid"
    NO_ATTESTATION = "no-attestation"
    # npm: the registry's publish attestation verified, but no build provenance exists.
    REGISTRY_SIGNED = "registry-signed"
    DIGEST_MISMATCH = "digest-mismatch"
    UNRESOLVED = "unresolved"
    FETCH_FAILED = "fetch-failed"


@dataclass(frozen=True, slots=True)
class PublisherIdentity:
    """Who published a release, as the attestation's signing certificate says.

    ``workflow`` is the path without ``@ref``; numeric ids are kept where the issuer gives them.
    """

    kind: str  # "github", "gitlab", "google", "npm-registry-key", ...
    issuer: str | None = None
    repository: str | None = None  # e.g. "https://github.com/owner/repo" or "owner/repo"
    repository_id: str | None = None
    owner_id: str | None = None
    workflow: str | None = None  # ".github/workflows/release.yml"
    environment: str | None = None
    # Additive (see attestations/identity.py): the certificate's SAN where it *is* the identity
    # (Google service account, e-mail signers); Fulcio's runner environment ("github-hosted").
    subject: str | None = None
    runner_environment: str | None = None

    def describe(self) -> str:
        """One line for reports."""
        parts = [self.kind, self.repository or "?"]
        if self.workflow:
            parts.append(self.workflow)
        if self.environment:
            parts.append(f"env={self.environment}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class AttestationCheck:
    """Result of verifying one attestation document against one artifact."""

    ok: bool
    reason: str  # why it failed, or what was verified
    identity: PublisherIdentity | None = None
    predicate_types: tuple[str, ...] = ()
    cached: bool = False
