"""Verify one Sigstore bundle (any version) offline: sigstore-python where it can, ``cryptography``
elsewhere.

sigstore-python 4.5.1 verifies DSSE bundles whose log entry is ``dsse``/``hashedrekord`` with an
inclusion proof and checkpoint. npm's older bundles carry ``intoto`` 0.0.2 entries, often no
inclusion proof, and npm's publish attestations are signed with a registry key, not a certificate.
For those the legacy path checks, in order:

1. the DSSE payload type is in-toto and there is exactly one signature;
2. the Rekor SET (inclusion promise) over the RFC 8785 canonical entry, with the trusted root's
   Rekor key named by ``logId`` and valid at ``integratedTime``; an inclusion proof with
   checkpoint, when present, is verified too;
3. the log entry body agrees with the bundle (payload hash, signature, signer key or certificate);
4. the DSSE PAE signature with the leaf certificate's key, or with the registry key named by
   ``keyid``;
5. for certificates: the chain to a Fulcio CA of the trusted root at ``integratedTime``, the SCT,
   the code-signing key usage, and the caller's identity policy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
import sigstore.errors
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
)
from cryptography.x509.verification import VerificationError as X509VerificationError
from sigstore.models import Bundle, TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy

from attestations._sigstore_compat import (
    KeyringPurpose,
    log_entry,
    rekor_logs,
    trusted_root_of,
    verify_checkpoint,
    verify_merkle_inclusion,
    verify_sct,
)
from attestations.reasons import Failed, Reason, classify_sigstore_error
from attestations.registry_keys import RegistryKey, find_key

IN_TOTO = "application/vnd.in-toto+json"
_MODERN_KINDS = {("dsse", "0.0.1"), ("hashedrekord", "0.0.1"), ("hashedrekord", "0.0.2")}


@dataclass(frozen=True, slots=True)
class VerifiedEnvelope:
    """A bundle whose signature, log entry and signer checked out (statement not yet judged)."""

    statement: dict[str, Any]
    certificate: x509.Certificate | None  # None when a registry key signed
    keyid: str | None
    integrated_time: datetime | None
    path: str  # "sigstore-python" or "legacy"


def read_statement(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The bundle's in-toto statement, unverified: for cheap checks before any cryptography."""
    try:
        payload = base64.b64decode(bundle["dsseEnvelope"]["payload"], validate=True)
    except (KeyError, TypeError, binascii.Error) as exc:
        raise Failed(Reason.MALFORMED, f"bundle lacks or garbles the DSSE payload ({exc})") from exc
    return _statement(payload)


def verify_bundle(
    bundle: Mapping[str, Any],
    *,
    verifier: Verifier,
    policy: VerificationPolicy,
    registry_keys: Sequence[RegistryKey] = (),
) -> VerifiedEnvelope:
    """Verify a bundle dict; raise ``Failed`` with a categorised reason on any failure."""
    try:
        material = bundle["verificationMaterial"]
        envelope = bundle["dsseEnvelope"]
        entries = material["tlogEntries"]
        payload = base64.b64decode(envelope["payload"], validate=True)
        signatures = envelope["signatures"]
        payload_type = envelope["payloadType"]
    except (KeyError, TypeError, binascii.Error) as exc:
        raise Failed(Reason.MALFORMED, f"bundle lacks or garbles {exc}") from exc
    if payload_type != IN_TOTO:
        raise Failed(Reason.UNSUPPORTED, f"DSSE payload type {payload_type!r}")
    if not isinstance(signatures, list) or len(signatures) != 1:
        raise Failed(Reason.MALFORMED, "DSSE envelope must carry exactly one signature")
    if not isinstance(entries, list) or len(entries) != 1:
        raise Failed(Reason.MALFORMED, "bundle must carry exactly one transparency log entry")
    keyid = str(signatures[0].get("keyid") or "")
    entry = entries[0]
    kind = (entry.get("kindVersion", {}).get("kind"), entry.get("kindVersion", {}).get("version"))
    proof = entry.get("inclusionProof") or {}
    statement = _statement(payload)

    if "publicKey" in material or keyid:
        return _verify_key_signed(bundle, entry, payload, keyid, verifier, registry_keys, statement)
    if kind in _MODERN_KINDS and proof.get("checkpoint"):
        try:
            parsed = Bundle.from_json(json.dumps(dict(bundle)))
            verifier.verify_dsse(parsed, policy)
        except sigstore.errors.Error as exc:
            raise Failed(classify_sigstore_error(str(exc)), str(exc)) from exc
        when = entry.get("integratedTime")
        stamp = datetime.fromtimestamp(int(when), UTC) if when else None
        return VerifiedEnvelope(
            statement, parsed.signing_certificate, None, stamp, "sigstore-python"
        )
    return _verify_cert_legacy(bundle, entry, payload, verifier, policy, statement)


def _verify_key_signed(
    bundle: Mapping[str, Any],
    entry: Mapping[str, Any],
    payload: bytes,
    keyid: str,
    verifier: Verifier,
    registry_keys: Sequence[RegistryKey],
    statement: dict[str, Any],
) -> VerifiedEnvelope:
    if not keyid:
        raise Failed(Reason.MISSING_KEYID, "key-signed attestation has no keyid in its signature")
    key = find_key(registry_keys, keyid)
    if key is None:
        raise Failed(Reason.UNKNOWN_KEY, f"keyid {keyid!r} names no trusted registry key")
    hint = bundle["verificationMaterial"].get("publicKey", {}).get("hint")
    if hint is not None and hint != keyid:
        raise Failed(Reason.UNKNOWN_KEY, f"publicKey hint {hint!r} differs from keyid {keyid!r}")
    when = _verify_tlog(entry, trusted_root_of(verifier), bundle.get("mediaType", ""))
    public_key = key.public_key()
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    sig = _signature(bundle)
    _check_body(entry, payload, bundle["dsseEnvelope"]["payloadType"], sig, pem, key_is_cert=False)
    _verify_pae(public_key, bundle["dsseEnvelope"]["payloadType"], payload, sig)
    if key.expires is not None and when >= key.expires:
        raise Failed(
            Reason.EXPIRED_KEY,
            f"signed {when.isoformat()} but key {keyid} expired {key.expires.isoformat()}",
        )
    return VerifiedEnvelope(statement, None, keyid, when, "legacy")


def _verify_cert_legacy(
    bundle: Mapping[str, Any],
    entry: Mapping[str, Any],
    payload: bytes,
    verifier: Verifier,
    policy: VerificationPolicy,
    statement: dict[str, Any],
) -> VerifiedEnvelope:
    material = bundle["verificationMaterial"]
    try:
        raw = (
            material["certificate"]["rawBytes"]
            if "certificate" in material
            else material["x509CertificateChain"]["certificates"][0]["rawBytes"]
        )
        cert = x509.load_der_x509_certificate(base64.b64decode(raw))
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise Failed(Reason.MALFORMED, f"signing certificate: {exc}") from exc
    root = trusted_root_of(verifier)
    when = _verify_tlog(entry, root, bundle.get("mediaType", ""))
    sig = _signature(bundle)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    _check_body(entry, payload, bundle["dsseEnvelope"]["payloadType"], sig, pem, key_is_cert=True)
    public_key = cert.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise Failed(Reason.UNSUPPORTED, "signing certificate key is not ECDSA")
    _verify_pae(public_key, bundle["dsseEnvelope"]["payloadType"], payload, sig)
    chain = _verify_chain(cert, root, when)
    try:
        verify_sct(cert, chain, root.ct_keyring(KeyringPurpose.VERIFY))
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.CODE_SIGNING not in eku:
            raise sigstore.errors.VerificationError("certificate lacks code-signing usage")
    except (sigstore.errors.Error, x509.ExtensionNotFound) as exc:
        raise Failed(Reason.CERTIFICATE, f"SCT or key usage: {exc}") from exc
    try:
        policy.verify(cert)
    except sigstore.errors.VerificationError as exc:
        raise Failed(Reason.IDENTITY_MISMATCH, str(exc)) from exc
    return VerifiedEnvelope(statement, cert, None, when, "legacy")


def _verify_tlog(entry: Mapping[str, Any], root: TrustedRoot, media_type: str) -> datetime:
    try:
        log_id = base64.b64decode(entry["logId"]["keyId"])
        when = int(entry["integratedTime"])
        index = int(entry["logIndex"])
        body_b64 = str(entry["canonicalizedBody"])
        set_sig = base64.b64decode(entry["inclusionPromise"]["signedEntryTimestamp"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Failed(
            Reason.TRANSPARENCY_LOG, f"log entry lacks {exc} (no inclusion promise?)"
        ) from exc
    integrated = datetime.fromtimestamp(when, UTC)
    canonical = rfc8785.dumps(
        {"body": body_b64, "integratedTime": when, "logID": log_id.hex(), "logIndex": index}
    )
    key = _rekor_key(root, log_id, integrated)
    try:
        key.verify(set_sig, canonical, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise Failed(Reason.TRANSPARENCY_LOG, "Rekor SET signature does not verify") from exc
    proof = entry.get("inclusionProof") or {}
    if proof.get("checkpoint"):
        try:
            inner = log_entry(entry)
            verify_merkle_inclusion(inner)
            verify_checkpoint(root.rekor_keyring(KeyringPurpose.VERIFY), inner)
        except (sigstore.errors.Error, ValueError) as exc:
            raise Failed(Reason.TRANSPARENCY_LOG, f"inclusion proof: {exc}") from exc
    elif "version=0.1" not in media_type:
        raise Failed(Reason.TRANSPARENCY_LOG, f"{media_type} bundles need an inclusion proof")
    return integrated


def _rekor_key(root: TrustedRoot, log_id: bytes, when: datetime) -> ec.EllipticCurvePublicKey:
    for tlog in rekor_logs(root):
        if tlog.log_id.key_id != log_id:
            continue
        window = tlog.public_key.valid_for
        if window is not None and (
            window.start > when or (window.end is not None and when >= window.end)
        ):
            raise Failed(Reason.TRANSPARENCY_LOG, "Rekor key was not valid at integratedTime")
        key = serialization.load_der_public_key(bytes(tlog.public_key.raw_bytes or b""))
        if isinstance(key, ec.EllipticCurvePublicKey):
            return key
    raise Failed(Reason.TRANSPARENCY_LOG, f"no Rekor key with log id {log_id.hex()[:16]}...")


def _check_body(
    entry: Mapping[str, Any],
    payload: bytes,
    payload_type: str,
    sig: bytes,
    signer_pem: bytes,
    *,
    key_is_cert: bool,
) -> None:
    try:
        body = json.loads(base64.b64decode(entry["canonicalizedBody"]))
        kind, spec = body["kind"], body["spec"]
        if kind == "intoto":
            content = spec["content"]
            payload_hash = content["payloadHash"]
            if content["envelope"].get("payloadType") != payload_type:
                raise Failed(Reason.TRANSPARENCY_LOG, "log entry payload type differs from bundle")
            logged = [
                (base64.b64decode(base64.b64decode(s["sig"])), base64.b64decode(s["publicKey"]))
                for s in content["envelope"]["signatures"]
            ]
        elif kind == "dsse":
            payload_hash = spec["payloadHash"]
            logged = [
                (base64.b64decode(s["signature"]), base64.b64decode(s["verifier"]))
                for s in spec["signatures"]
            ]
        else:
            raise Failed(Reason.UNSUPPORTED, f"log entry kind {kind!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise Failed(Reason.TRANSPARENCY_LOG, f"log entry body unreadable: {exc}") from exc
    if payload_hash.get("algorithm") != "sha256" or (
        payload_hash.get("value") != hashlib.sha256(payload).hexdigest()
    ):
        raise Failed(Reason.TRANSPARENCY_LOG, "log entry payload hash does not match the bundle")
    want = [(sig, _canonical_pem(signer_pem, key_is_cert))]
    if [(s, _canonical_pem(p, key_is_cert)) for s, p in logged] != want:
        raise Failed(Reason.TRANSPARENCY_LOG, "log entry signature or signer differs from bundle")


def _canonical_pem(pem: bytes, is_cert: bool) -> bytes:
    try:
        if is_cert:
            return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
        return serialization.load_pem_public_key(pem).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except ValueError:
        return b""


def _verify_pae(
    key: ec.EllipticCurvePublicKey, payload_type: str, payload: bytes, sig: bytes
) -> None:
    pae = b"DSSEv1 %d %b %d %b" % (len(payload_type), payload_type.encode(), len(payload), payload)
    try:
        key.verify(sig, pae, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise Failed(Reason.SIGNATURE, "DSSE signature does not verify") from exc


def _verify_chain(
    cert: x509.Certificate, root: TrustedRoot, when: datetime
) -> list[x509.Certificate]:
    ca_policy = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None
    )
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None
    )
    builder = (
        PolicyBuilder()
        .store(Store(root.get_fulcio_certs()))
        .time(when)
        .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
    )
    try:
        return builder.build_client_verifier().verify(cert, []).chain[1:]
    except (X509VerificationError, x509.UnsupportedGeneralNameType) as exc:
        raise Failed(Reason.CERTIFICATE, f"no chain to a Fulcio CA at signing time: {exc}") from exc


def _signature(bundle: Mapping[str, Any]) -> bytes:
    try:
        return base64.b64decode(bundle["dsseEnvelope"]["signatures"][0]["sig"], validate=True)
    except (KeyError, IndexError, binascii.Error) as exc:
        raise Failed(Reason.SIGNATURE, f"DSSE signature is not base64: {exc}") from exc


def _statement(payload: bytes) -> dict[str, Any]:
    try:
        statement = json.loads(payload)
    except ValueError as exc:
        raise Failed(Reason.MALFORMED, f"statement is not JSON: {exc}") from exc
    if not isinstance(statement, dict):
        raise Failed(Reason.MALFORMED, "statement is not a JSON object")
    return statement
