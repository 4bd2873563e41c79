"""npm registry signing keys (the ``/-/npm/v1/keys`` document) and registry signatures."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from attestations.errors import AttestationError
from attestations.reasons import Reason, fail
from attestations.result import AttestationCheck


@dataclass(frozen=True, slots=True)
class RegistryKey:
    """One registry signing key: ``keyid`` is ``SHA256:`` + the SSH-style fingerprint of the key."""

    keyid: str
    keytype: str
    scheme: str
    key: bytes  # SubjectPublicKeyInfo DER
    expires: datetime | None = None

    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The key as a P-256 public key."""
        loaded = serialization.load_der_public_key(self.key)
        if not isinstance(loaded, ec.EllipticCurvePublicKey) or loaded.curve.name != "secp256r1":
            raise AttestationError(f"registry key {self.keyid} is not an ECDSA P-256 key")
        return loaded

    def fingerprint(self) -> str:
        """``SHA256:<unpadded base64>`` of the SSH wire encoding (``ssh-keygen -l``)."""
        ssh = self.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        blob = base64.b64decode(ssh.split()[1])
        return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def parse_registry_keys(doc: bytes | Mapping[str, Any]) -> tuple[RegistryKey, ...]:
    """Parse the registry's keys document; a key whose keyid is not its fingerprint is refused."""
    try:
        data = json.loads(doc) if isinstance(doc, bytes) else doc
        raw_keys = data["keys"]
    except (ValueError, KeyError, TypeError) as exc:
        raise AttestationError(
            f"registry keys document: missing or unreadable 'keys' ({exc})"
        ) from exc
    out = []
    for index, item in enumerate(raw_keys):
        try:
            expires = item.get("expires")
            key = RegistryKey(
                keyid=str(item["keyid"]),
                keytype=str(item["keytype"]),
                scheme=str(item["scheme"]),
                key=base64.b64decode(item["key"], validate=True),
                expires=_parse_time(expires) if expires else None,
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise AttestationError(
                f"registry keys document: keys[{index}] is malformed ({exc})"
            ) from exc
        if key.scheme != "ecdsa-sha2-nistp256":
            raise AttestationError(f"registry keys document: keys[{index}] scheme {key.scheme!r}")
        if key.fingerprint() != key.keyid:
            raise AttestationError(
                f"registry keys document: keys[{index}] keyid {key.keyid} is not the key's "
                f"fingerprint {key.fingerprint()}"
            )
        out.append(key)
    return tuple(out)


def find_key(keys: Sequence[RegistryKey], keyid: str) -> RegistryKey | None:
    """The key with this keyid (``SHA256:`` prefix optional), or None."""
    wanted = keyid if keyid.startswith("SHA256:") else f"SHA256:{keyid}"
    return next((k for k in keys if k.keyid == wanted), None)


def verify_registry_signatures(
    name: str,
    version: str,
    integrity: str,
    signatures: Sequence[Mapping[str, Any]],
    keys: Sequence[RegistryKey],
    *,
    published_at: datetime | None = None,
) -> AttestationCheck:
    """Verify ``dist.signatures`` (ECDSA P-256 over ``name@version:integrity``) with the registry
    keys.

    Every signature by a known key must verify and at least one must; a key with ``expires`` only
    counts when the release was published before it expired (unknown publish time: fail closed).
    """
    if not signatures:
        return AttestationCheck(False, fail(Reason.NO_ATTESTATIONS, "no registry signatures"))
    message = f"{name}@{version}:{integrity}".encode()
    verified = []
    for entry in signatures:
        keyid = str(entry.get("keyid") or "")
        if not keyid:
            return AttestationCheck(
                False, fail(Reason.MISSING_KEYID, "registry signature has no keyid")
            )
        key = find_key(keys, keyid)
        if key is None:
            continue
        if key.expires is not None and (published_at is None or published_at >= key.expires):
            when = published_at.isoformat() if published_at else "at an unknown time"
            return AttestationCheck(
                False,
                fail(
                    Reason.EXPIRED_KEY,
                    f"published {when}; key {keyid} expired {key.expires.isoformat()}",
                ),
            )
        try:
            key.public_key().verify(
                base64.b64decode(str(entry.get("sig", "")), validate=True),
                message,
                ec.ECDSA(hashes.SHA256()),
            )
        except (InvalidSignature, binascii.Error, ValueError):
            return AttestationCheck(
                False,
                fail(Reason.SIGNATURE, f"registry signature by {keyid} over {name}@{version}"),
            )
        verified.append(keyid)
    if not verified:
        known = ", ".join(sorted(str(s.get("keyid")) for s in signatures))
        return AttestationCheck(False, fail(Reason.UNKNOWN_KEY, f"no trusted key among {known}"))
    return AttestationCheck(True, f"registry signature verified by {', '.join(verified)}")


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
