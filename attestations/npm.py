"""npm attestations: SLSA provenance and publish attestations, and registry signatures, verified
offline.

An attestations document is ``{"attestations": [{"predicateType", "bundle"}]}``. Rules, in order,
per entry:

1. the entry's ``predicateType`` is one we know and equals the statement's own ``predicateType``;
2. the statement has exactly one subject, named ``pkg:npm/<name>@<version>`` (``@`` of a scope as
   ``%40``), whose ``sha512`` equals the ``sha512`` of the release's ``integrity`` (checked before
   the cryptography, as npm does, so a statement about another release says so rather than "bad
   signature");
3. the bundle verifies (``attestations.sigbundle``): provenance with a Fulcio certificate, the
   publish attestation with a registry key named by ``keyid`` (a publish attestation signed
   otherwise is refused);
4. with ``expected``, the provenance signer's identity matches it.

Every entry is judged (all failures are reported), every one must pass and there must be at least
one. The identity is the provenance signer's; a document with only a publish attestation verifies
with ``identity=None`` (the registry vouches for the upload, nobody for the build).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from sigstore.errors import VerificationError
from sigstore.verify import Verifier

from attestations.digests import DigestError, parse_sri
from attestations.identity import describe_identity, identity_from_certificate, identity_mismatches
from attestations.reasons import Failed, Reason, fail
from attestations.registry_keys import (
    RegistryKey,
    find_key,
    parse_registry_keys,
    verify_registry_signatures,
)
from attestations.result import AttestationCheck, PublisherIdentity
from attestations.sigbundle import VerifiedEnvelope, read_statement, verify_bundle

__all__ = [
    "PREDICATE_PUBLISH",
    "PREDICATE_SLSA_V02",
    "PREDICATE_SLSA_V1",
    "RegistryKey",
    "find_key",
    "npm_purl",
    "parse_registry_keys",
    "verify_npm_attestations",
    "verify_npm_bundle",
    "verify_registry_signatures",
]

PREDICATE_SLSA_V02 = "https://slsa.dev/provenance/v0.2"
PREDICATE_SLSA_V1 = "https://slsa.dev/provenance/v1"
PREDICATE_PUBLISH = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
_PROVENANCE = {PREDICATE_SLSA_V02, PREDICATE_SLSA_V1}
_SUPPORTED = _PROVENANCE | {PREDICATE_PUBLISH}


class _AnyFulcioSigner:
    """Crypto first, identity afterwards: accept any certificate that names an OIDC issuer."""

    def verify(self, cert: x509.Certificate) -> None:
        """Refuse certificates without a Fulcio issuer claim."""
        if identity_from_certificate(cert).issuer is None:
            raise VerificationError("certificate names no OIDC issuer")


def npm_purl(name: str, version: str) -> str:
    """The subject name npm writes: ``pkg:npm/<name>@<version>`` with a scope's ``@`` as ``%40``."""
    return f"pkg:npm/{name.replace('@', '%40', 1) if name.startswith('@') else name}@{version}"


def verify_npm_attestations(
    doc: bytes | Mapping[str, Any],
    name: str,
    version: str,
    integrity: str,
    *,
    verifier: Verifier,
    registry_keys: Sequence[RegistryKey],
    expected: PublisherIdentity | None = None,
) -> AttestationCheck:
    """Verify an npm attestations document against a release's name, version and integrity."""
    try:
        data = json.loads(doc) if isinstance(doc, bytes) else doc
        entries = data["attestations"]
        if not isinstance(entries, list):
            raise TypeError("'attestations' is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        return AttestationCheck(False, fail(Reason.MALFORMED, f"attestations document: {exc}"))
    if not entries:
        return AttestationCheck(False, fail(Reason.NO_ATTESTATIONS, "document lists none"))
    identity: PublisherIdentity | None = None
    predicates: list[str] = []
    failures: list[str] = []  # every entry is judged, so each problem is reported
    for index, entry in enumerate(entries):
        try:
            declared = str(entry["predicateType"])
            bundle = entry["bundle"]
            envelope = _verify_entry(
                bundle, declared, name, version, integrity, verifier, registry_keys
            )
        except Failed as exc:
            failures.append(f"{exc.text} (attestation {index})")
            continue
        except (KeyError, TypeError) as exc:
            failures.append(fail(Reason.MALFORMED, f"attestation {index} lacks {exc}"))
            continue
        if envelope.certificate is not None:
            identity = identity_from_certificate(envelope.certificate)
        predicates.append(declared)
    if failures:
        return AttestationCheck(False, "; ".join(failures), identity, tuple(predicates))
    return _finish(identity, expected, tuple(predicates), f"{npm_purl(name, version)}")


def verify_npm_bundle(
    bundle: bytes | Mapping[str, Any],
    name: str,
    version: str,
    integrity: str,
    *,
    verifier: Verifier,
    registry_keys: Sequence[RegistryKey] = (),
    expected: PublisherIdentity | None = None,
) -> AttestationCheck:
    """Verify one standalone Sigstore bundle whose statement names an npm release.

    Unlike a registry document, the signer's role is not fixed: any supported predicate may be
    signed by a certificate or a registry key (sigstore-js' test bundles sign publish statements
    with certificates).
    """
    try:
        data = json.loads(bundle) if isinstance(bundle, bytes) else bundle
    except ValueError as exc:
        return AttestationCheck(False, fail(Reason.MALFORMED, f"bundle is not JSON: {exc}"))
    try:
        envelope = verify_bundle(
            data, verifier=verifier, policy=_AnyFulcioSigner(), registry_keys=registry_keys
        )
        predicate = _check_statement(envelope.statement, None, name, version, integrity)
    except Failed as exc:
        return AttestationCheck(False, exc.text)
    identity = identity_from_certificate(envelope.certificate) if envelope.certificate else None
    return _finish(identity, expected, (predicate,), npm_purl(name, version))


def _verify_entry(
    bundle: Mapping[str, Any],
    declared: str,
    name: str,
    version: str,
    integrity: str,
    verifier: Verifier,
    registry_keys: Sequence[RegistryKey],
) -> VerifiedEnvelope:
    # (1) Only predicates we know how to judge.
    if declared not in _SUPPORTED:
        raise Failed(Reason.UNSUPPORTED, f"predicate type {declared!r}")
    # (2) The statement names this release (cheap, and the most useful reason when it does not).
    _check_statement(read_statement(bundle), declared, name, version, integrity)
    # (3) Signature, transparency log, signer.
    envelope = verify_bundle(
        bundle, verifier=verifier, policy=_AnyFulcioSigner(), registry_keys=registry_keys
    )
    if declared == PREDICATE_PUBLISH and envelope.keyid is None:
        raise Failed(Reason.PUBLISHER_MISMATCH, "publish attestation not signed by a registry key")
    if declared in _PROVENANCE and envelope.certificate is None:
        raise Failed(Reason.PUBLISHER_MISMATCH, "provenance not signed by a Fulcio certificate")
    return envelope


def _check_statement(
    statement: Mapping[str, Any], declared: str | None, name: str, version: str, integrity: str
) -> str:
    predicate = str(statement.get("predicateType", ""))
    if declared is not None and predicate != declared:
        raise Failed(
            Reason.UNSUPPORTED, f"statement predicate {predicate!r} != declared {declared!r}"
        )
    if predicate not in _SUPPORTED:
        raise Failed(Reason.UNSUPPORTED, f"predicate type {predicate!r}")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise Failed(Reason.MALFORMED, "statement must name exactly one subject")
    subject = subjects[0]
    want = npm_purl(name, version)
    if subject.get("name") != want:
        raise Failed(Reason.SUBJECT_MISMATCH, f"subject {subject.get('name')!r}, expected {want!r}")
    digest = subject.get("digest")
    got = digest.get("sha512") if isinstance(digest, dict) else None
    if not isinstance(got, str) or not got:
        raise Failed(Reason.MALFORMED, f"subject {want} has no sha512 digest")
    try:
        sha512 = next(d.hex for d in parse_sri(integrity) if d.algorithm == "sha512")
    except (DigestError, StopIteration) as exc:
        raise Failed(Reason.MALFORMED, f"integrity {integrity!r} has no sha512") from exc
    if got.lower() != sha512:
        raise Failed(
            Reason.DIGEST_MISMATCH, f"subject sha512 {got[:16]}... != integrity {sha512[:16]}..."
        )
    return predicate


def _finish(
    identity: PublisherIdentity | None,
    expected: PublisherIdentity | None,
    predicates: tuple[str, ...],
    what: str,
) -> AttestationCheck:
    if expected is not None:
        if identity is None:
            return AttestationCheck(
                False,
                fail(
                    Reason.IDENTITY_MISMATCH,
                    f"expected {describe_identity(expected)}, no provenance",
                ),
                None,
                predicates,
            )
        problems = identity_mismatches(expected, identity)
        if problems:
            return AttestationCheck(
                False, fail(Reason.IDENTITY_MISMATCH, "; ".join(problems)), identity, predicates
            )
    by = describe_identity(identity) if identity else "the registry key only (no build provenance)"
    return AttestationCheck(
        True, f"verified {len(predicates)} attestation(s) for {what} by {by}", identity, predicates
    )
