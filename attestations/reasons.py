"""Failure categories: a failed ``AttestationCheck.reason`` starts with one, then ``": "``."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a verification failed, as the first words of ``AttestationCheck.reason``."""

    MALFORMED = "malformed"  # not JSON, wrong shape, undecodable fields
    NO_ATTESTATIONS = "no attestations"  # a document with nothing to verify (never a pass)
    UNSUPPORTED = "unsupported"  # unknown predicate type, payload type, bundle or log entry kind
    PUBLISHER_MISMATCH = "publisher mismatch"  # certificate does not match the publisher it claims
    IDENTITY_MISMATCH = "identity mismatch"  # verified, but not by the identity the caller expected
    CERTIFICATE = "certificate invalid"  # chain, validity at signing time, SCT, key usage
    TRANSPARENCY_LOG = "transparency log invalid"  # SET, inclusion proof, entry inconsistent
    SIGNATURE = "invalid signature"  # DSSE / registry signature does not verify
    SUBJECT_MISMATCH = "subject mismatch"  # statement names another artifact
    DIGEST_MISMATCH = "digest mismatch"  # statement digest differs from the artifact's
    MISSING_KEYID = "missing keyid"  # key-signed attestation without a key id
    UNKNOWN_KEY = "unknown key"  # key id names no trusted registry key
    EXPIRED_KEY = "expired key"  # signed after the registry key expired


def fail(reason: Reason, detail: str) -> str:
    """The reason text for a failure."""
    return f"{reason.value}: {detail}"


def classify_sigstore_error(message: str) -> Reason:
    """Map a sigstore-python verification error message onto a category."""
    text = message.lower()
    if "log entry" in text or "inclusion" in text or "checkpoint" in text or "set:" in text:
        return Reason.TRANSPARENCY_LOG
    if "certificate" in text or "sct" in text or "usage" in text or "expired" in text:
        return Reason.CERTIFICATE
    if "signature" in text:
        return Reason.SIGNATURE
    if "unsupported" in text or "only supported" in text:
        return Reason.UNSUPPORTED
    return Reason.SIGNATURE


class Failed(Exception):  # noqa: N818 - internal control flow, never leaves the package
    """Raised inside the package to stop a verification; callers turn it into a failed check."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(fail(reason, detail))
        self.reason = reason
        self.text = fail(reason, detail)
