"""Errors of the attestations package."""

from __future__ import annotations

from scanner.errors import ChainwatchError


class AttestationError(ChainwatchError):
    """Base error of attestation handling (bad bundles, bad documents)."""


class TrustRootError(AttestationError):
    """The sigstore trust root is missing, unreadable or stale."""
