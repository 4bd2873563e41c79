"""Digests as lockfiles and registries write them: hex, ``algo:hex``, ``algo=hex``, SRI, RECORD."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from attestations.errors import AttestationError

_HEX_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}
_KNOWN = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b"}
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Digest:
    """A digest exactly as recorded (``raw``), plus its algorithm and lowercase hex value."""

    algorithm: str  # "sha256", "sha512", "sha1", ...
    hex: str
    raw: str


class DigestError(AttestationError):
    """A digest string cannot be understood."""


def parse_digest(raw: str, *, default_algorithm: str | None = None) -> Digest:
    """Parse a recorded digest (``sha256:ab..``, ``sha256=ab..``, ``sha512-<b64>``, bare hex)."""
    text = raw.strip()
    if not text:
        raise DigestError(f"empty digest {raw!r}")
    for sep in (":", "="):
        algo, found, value = text.partition(sep)
        if found and algo.lower() in _KNOWN:
            return _from_value(algo.lower(), value, raw)
    algo, found, value = text.partition("-")
    if found and algo.lower() in _KNOWN:
        return Digest(algo.lower(), _b64_to_hex(value, raw), raw)
    if default_algorithm is not None:
        return _from_value(default_algorithm, text, raw)
    guessed = _HEX_LENGTHS.get(len(text))
    if guessed is None or not _is_hex(text):
        raise DigestError(f"cannot tell the algorithm of digest {raw!r}")
    return Digest(guessed, text.lower(), raw)


def parse_sri(raw: str) -> tuple[Digest, ...]:
    """Parse an SRI string (space-separated ``algo-b64`` tokens) into digests."""
    out = []
    for token in raw.split():
        algo, found, value = token.partition("-")
        if not found or algo.lower() not in _KNOWN:
            raise DigestError(f"not an SRI token: {token!r}")
        out.append(Digest(algo.lower(), _b64_to_hex(value.split("?", 1)[0], raw), token))
    if not out:
        raise DigestError(f"empty SRI string {raw!r}")
    return tuple(out)


def to_sri(algorithm: str, hex_value: str) -> str:
    """Render a hex digest as an SRI token."""
    return f"{algorithm}-{base64.b64encode(bytes.fromhex(hex_value)).decode()}"


def record_hash(hex_value: str) -> str:
    """Render a sha256 hex digest as RECORD writes it: urlsafe base64 without padding."""
    return base64.urlsafe_b64encode(bytes.fromhex(hex_value)).rstrip(b"=").decode()


def hash_bytes(data: bytes, algorithm: str = "sha256") -> str:
    """Hex digest of bytes."""
    return hashlib.new(algorithm, data).hexdigest()


def hash_file(path: Path, algorithms: tuple[str, ...] = ("sha256",)) -> dict[str, str]:
    """Hex digests of a file, read once in chunks."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            for h in hashers.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hashers.items()}


def matches(expected: Digest, actual_hex: dict[str, str]) -> bool | None:
    """True/False when ``actual_hex`` has ``expected``'s algorithm, None when it cannot tell."""
    got = actual_hex.get(expected.algorithm)
    return None if got is None else got.lower() == expected.hex.lower()


def _from_value(algorithm: str, value: str, raw: str) -> Digest:
    if _is_hex(value):
        return Digest(algorithm, value.lower(), raw)
    return Digest(algorithm, _b64_to_hex(value, raw), raw)


def _b64_to_hex(value: str, raw: str) -> str:
    padded = value + "=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DigestError(f"digest {raw!r} is neither hex nor base64") from exc
    return decoded.hex()


def _is_hex(value: str) -> bool:
    return bool(value) and len(value) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in value)
