"""Digests as lockfiles record them: ``algo:hex`` strings, SRI integrity, PEP 691 hash tables."""

from __future__ import annotations

import binascii
import re

from attestations.digests import DigestError, parse_digest, parse_sri
from scanner.inventory._decode import shown
from scanner.inventory.lockfiles._lockbase import Collector
from scanner.models import Digest

_DIGEST_HEX = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
_CANONICAL_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


def fast_digest(raw: str) -> Digest:
    """``parse_digest`` with a shortcut for the common canonical ``sha256:<64 hex>`` form."""
    return canonical_sha256(raw) or checked(parse_digest(raw))


def canonical_sha256(raw: str) -> Digest | None:
    """The digest when ``raw`` is exactly ``sha256:`` and 64 lowercase hex digits, else None."""
    return Digest("sha256", raw[7:], raw) if _CANONICAL_SHA256.fullmatch(raw) else None


def digest_or_none(raw: object, col: Collector, subject: str, line: int | None) -> Digest | None:
    """Parse one recorded digest; an unreadable one becomes a Skipped, not an error."""
    if not isinstance(raw, str):
        col.skip(subject, f"digest is not a string: {shown(raw)}", line)
        return None
    try:
        return fast_digest(raw)
    except DigestError as exc:
        col.skip(subject, f"unreadable digest: {exc}", line)
        return None


def checked(d: Digest) -> Digest:
    """Reject a digest whose length does not fit its algorithm (``sha256:123``)."""
    want = _DIGEST_HEX.get(d.algorithm)
    if want is not None and len(d.hex) != want:
        raise DigestError(f"{d.algorithm} digest {d.raw!r} has {len(d.hex) // 2} bytes")
    return d


def sri_digests(raw: object, col: Collector, subject: str, line: int | None) -> tuple[Digest, ...]:
    """Parse an SRI integrity string; an unreadable one becomes a Skipped."""
    if not isinstance(raw, str):
        if raw is not None:
            col.skip(subject, f"integrity is not a string: {shown(raw)}", line)
        return ()
    try:
        if raw.startswith("sha512-") and len(raw) == 95 and " " not in raw:  # the common case
            return (Digest("sha512", binascii.a2b_base64(raw[7:], strict_mode=True).hex(), raw),)
        return tuple(checked(d) for d in parse_sri(raw))
    except (DigestError, binascii.Error, ValueError) as exc:
        col.skip(subject, f"unreadable integrity: {exc}", line)
        return ()


def hash_table(raw: object, col: Collector, subject: str, line: int | None) -> tuple[Digest, ...]:
    """Digests from a ``{sha256 = "..."}`` table (pylock, PEP 691 style)."""
    if not isinstance(raw, dict):
        return ()
    out: list[Digest] = []
    for algo, value in raw.items():
        if not isinstance(value, str):
            col.skip(subject, f"hash {algo!r} is not a string", line)
            continue
        try:
            d = checked(parse_digest(value, default_algorithm=str(algo).lower()))
        except DigestError as exc:
            col.skip(subject, f"unreadable digest: {exc}", line)
            continue
        out.append(d)
    return tuple(out)
