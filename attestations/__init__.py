"""Digests, sigstore trust root, PEP 740 and npm attestation verification, publisher identity.

The public names below load lazily, so importing ``attestations.digests`` does not import sigstore.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AttestationCheck": "attestations.result",
    "AttestationError": "attestations.errors",
    "Digest": "attestations.digests",
    "PublisherIdentity": "attestations.result",
    "Reason": "attestations.reasons",
    "RecordProblem": "attestations.record",
    "RecordReport": "attestations.record",
    "RegistryKey": "attestations.registry_keys",
    "Status": "attestations.result",
    "TrustRootError": "attestations.errors",
    "TrustRootStatus": "attestations.trustroot",
    "VerificationCache": "attestations.cache",
    "check_trusted_root": "attestations.trustroot",
    "compare_identities": "attestations.identity",
    "identity_from_certificate": "attestations.identity",
    "identity_from_publisher": "attestations.identity",
    "load_trusted_root": "attestations.trustroot",
    "make_verifier": "attestations.trustroot",
    "matches_pin": "attestations.identity",
    "parse_registry_keys": "attestations.registry_keys",
    "refresh_trusted_root": "attestations.trustroot",
    "verify_environment": "attestations.record",
    "verify_npm_attestations": "attestations.npm",
    "verify_npm_bundle": "attestations.npm",
    "verify_pypi_attestation": "attestations.pep740",
    "verify_pypi_provenance": "attestations.pep740",
    "verify_record": "attestations.record",
    "verify_registry_signatures": "attestations.registry_keys",
}

# Written out (not computed) so that tests/test_public_api.py can catch a missing or
# misplaced name.
__all__ = [
    "AttestationCheck",
    "AttestationError",
    "Digest",
    "PublisherIdentity",
    "Reason",
    "RecordProblem",
    "RecordReport",
    "RegistryKey",
    "Status",
    "TrustRootError",
    "TrustRootStatus",
    "VerificationCache",
    "check_trusted_root",
    "compare_identities",
    "identity_from_certificate",
    "identity_from_publisher",
    "load_trusted_root",
    "make_verifier",
    "matches_pin",
    "parse_registry_keys",
    "refresh_trusted_root",
    "verify_environment",
    "verify_npm_attestations",
    "verify_npm_bundle",
    "verify_pypi_attestation",
    "verify_pypi_provenance",
    "verify_record",
    "verify_registry_signatures",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'attestations' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
