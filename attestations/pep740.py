"""PEP 740 provenance and attestations, verified offline against an injected sigstore ``Verifier``.

pypi-attestations 0.0.30's ``Attestation.verify(publisher, dist, offline=True)`` builds its own
``Verifier.production(offline=True)`` from the per-user TUF cache, so it cannot use a pinned trust
root. We follow the same steps with the caller's verifier: ``Attestation.to_bundle()``, the
publisher's own policy (``publisher._as_policy()``), ``Verifier.verify_dsse``, then the statement
checks ``Attestation.verify`` makes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sigstore.errors
from cryptography import x509
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename
from pydantic import ValidationError
from pypi_attestations import (
    Attestation,
    AttestationType,
    ConversionError,
    Distribution,
    Provenance,
)
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy

from attestations._pypi_attestations_compat import publisher_policy, same_distribution
from attestations.digests import hash_file
from attestations.errors import AttestationError
from attestations.identity import (
    IdentityPolicy,
    describe_identity,
    identity_from_certificate,
    identity_mismatches,
    with_environment,
)
from attestations.reasons import Reason, classify_sigstore_error, fail
from attestations.result import AttestationCheck, PublisherIdentity

_IN_TOTO = "application/vnd.in-toto+json"
_KNOWN_PREDICATES = {t.value for t in AttestationType}


def verify_pypi_provenance(
    provenance: bytes | Mapping[str, Any],
    filename: str,
    sha256_hex: str,
    *,
    verifier: Verifier,
    expected: PublisherIdentity | None = None,
) -> AttestationCheck:
    """Verify a PEP 740 provenance object against a distribution file's name and sha256."""
    _check_sha256(sha256_hex)
    try:
        prov = (
            Provenance.model_validate_json(provenance)
            if isinstance(provenance, bytes)
            else Provenance.model_validate(dict(provenance))
        )
    except (ValidationError, ValueError) as exc:
        return AttestationCheck(False, fail(Reason.MALFORMED, f"provenance: {_first_error(exc)}"))
    dist = _distribution(filename, sha256_hex)
    if isinstance(dist, AttestationCheck):
        return dist
    if not prov.attestation_bundles:
        return AttestationCheck(False, fail(Reason.NO_ATTESTATIONS, "provenance has no bundles"))

    identities: set[PublisherIdentity] = set()
    predicates: set[str] = set()
    count = 0
    for bundle in prov.attestation_bundles:
        if not bundle.attestations:
            return AttestationCheck(False, fail(Reason.NO_ATTESTATIONS, "a bundle has none"))
        policy = publisher_policy(bundle.publisher)
        label = f"{bundle.publisher.kind} publisher {_publisher_label(bundle.publisher)}"
        for attestation in bundle.attestations:
            outcome = _verify_attestation(attestation, dist, policy, label, verifier)
            if isinstance(outcome, AttestationCheck):
                return outcome
            predicate, cert = outcome
            predicates.add(predicate)
            env = getattr(bundle.publisher, "environment", None)
            identities.add(with_environment(identity_from_certificate(cert), env))
            count += 1
    if len(identities) != 1:
        detail = "; ".join(sorted(i.describe() for i in identities))
        return AttestationCheck(
            False, fail(Reason.PUBLISHER_MISMATCH, f"several signers: {detail}")
        )
    identity = identities.pop()
    return _finish(
        identity, expected, tuple(sorted(predicates)), f"{count} attestation(s)", filename
    )


def verify_pypi_attestation(
    attestation: bytes | Mapping[str, Any],
    filename: str,
    sha256_hex: str,
    *,
    verifier: Verifier,
    expected: PublisherIdentity,
) -> AttestationCheck:
    """Verify one ``.attestation`` file against a distribution, signed by ``expected``'s identity.

    A bare attestation names no publisher, so the caller must say whom to expect (fail closed).
    """
    _check_sha256(sha256_hex)
    policy = IdentityPolicy(expected)  # raises AttestationError for an empty expectation
    try:
        att = (
            Attestation.model_validate_json(attestation)
            if isinstance(attestation, bytes)
            else Attestation.model_validate(dict(attestation))
        )
    except (ValidationError, ValueError) as exc:
        return AttestationCheck(False, fail(Reason.MALFORMED, f"attestation: {_first_error(exc)}"))
    dist = _distribution(filename, sha256_hex)
    if isinstance(dist, AttestationCheck):
        return dist
    outcome = _verify_attestation(att, dist, policy, describe_identity(expected), verifier)
    if isinstance(outcome, AttestationCheck):
        return outcome
    predicate, cert = outcome
    identity = identity_from_certificate(cert)
    return _finish(identity, None, (predicate,), "1 attestation", filename)


def verify_pypi_file(
    path: Path,
    provenance: bytes | Mapping[str, Any],
    *,
    verifier: Verifier,
    expected: PublisherIdentity | None = None,
) -> AttestationCheck:
    """Hash a local distribution file and verify its provenance."""
    digest = hash_file(path)["sha256"]
    return verify_pypi_provenance(
        provenance, path.name, digest, verifier=verifier, expected=expected
    )


def _verify_attestation(
    attestation: Attestation,
    dist: Distribution,
    policy: VerificationPolicy,
    label: str,
    verifier: Verifier,
) -> tuple[str, x509.Certificate] | AttestationCheck:
    # (1) Rebuild the sigstore bundle the attestation stands for.
    try:
        bundle = attestation.to_bundle()
    except (ConversionError, sigstore.errors.Error, ValueError) as exc:
        return AttestationCheck(False, fail(Reason.MALFORMED, f"attestation bundle: {exc}"))
    cert = bundle.signing_certificate
    # (2) The certificate must belong to the claimed publisher; checked first for a precise reason.
    try:
        policy.verify(cert)
    except sigstore.errors.VerificationError as exc:
        return AttestationCheck(False, fail(Reason.PUBLISHER_MISMATCH, f"{label}: {exc}"))
    # (3) Chain, SCT, transparency log and DSSE signature against the pinned trust root.
    try:
        payload_type, payload = verifier.verify_dsse(bundle, policy)
    except sigstore.errors.VerificationError as exc:
        return AttestationCheck(False, fail(classify_sigstore_error(str(exc)), str(exc)))
    if payload_type != _IN_TOTO:
        return AttestationCheck(False, fail(Reason.UNSUPPORTED, f"payload type {payload_type!r}"))
    # (4) The statement's single subject must be this distribution, by name and sha256.
    try:
        statement = json.loads(payload)
        subjects = statement["subject"]
        predicate = str(statement["predicateType"])
    except (ValueError, KeyError, TypeError) as exc:
        return AttestationCheck(False, fail(Reason.MALFORMED, f"statement: {exc}"))
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        return AttestationCheck(False, fail(Reason.SUBJECT_MISMATCH, "need exactly one subject"))
    name = str(subjects[0].get("name", ""))
    try:
        same = same_distribution(name, dist.name)
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        same = False
    if not same:
        return AttestationCheck(
            False, fail(Reason.SUBJECT_MISMATCH, f"statement names {name!r}, not {dist.name!r}")
        )
    digests = subjects[0].get("digest") or {}
    if digests.get("sha256") != dist.digest:
        return AttestationCheck(
            False,
            fail(
                Reason.DIGEST_MISMATCH,
                f"statement sha256 {digests.get('sha256')} != artifact sha256 {dist.digest}",
            ),
        )
    # (5) Only the predicate types PyPI knows.
    if predicate not in _KNOWN_PREDICATES:
        return AttestationCheck(False, fail(Reason.UNSUPPORTED, f"predicate type {predicate!r}"))
    return predicate, cert


def _finish(
    identity: PublisherIdentity,
    expected: PublisherIdentity | None,
    predicates: tuple[str, ...],
    what: str,
    filename: str,
) -> AttestationCheck:
    if expected is not None:
        problems = identity_mismatches(expected, identity)
        if problems:
            return AttestationCheck(
                False, fail(Reason.IDENTITY_MISMATCH, "; ".join(problems)), identity, predicates
            )
    return AttestationCheck(
        True,
        f"verified {what} for {filename} by {describe_identity(identity)}",
        identity,
        predicates,
    )


def _distribution(filename: str, sha256_hex: str) -> Distribution | AttestationCheck:
    try:
        return Distribution(name=filename, digest=sha256_hex.lower())
    except (ValidationError, ValueError) as exc:
        return AttestationCheck(
            False,
            fail(Reason.MALFORMED, f"distribution filename {filename!r}: {_first_error(exc)}"),
        )


def _check_sha256(value: str) -> None:
    if len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise AttestationError(f"sha256_hex must be 64 hex digits, got {value!r}")


def _publisher_label(publisher: Any) -> str:
    return str(getattr(publisher, "repository", None) or getattr(publisher, "email", None) or "?")


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "document"
        return f"{where}: {err.get('msg', 'invalid')}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
