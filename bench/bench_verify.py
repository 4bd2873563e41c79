"""Offline verification of 200 real bundles, cold (no cache) and through the SQLite cache.

Run: .venv/bin/python bench/bench_verify.py [N]
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from attestations.cache import VerificationCache, digest_of, policy_key
from attestations.npm import parse_registry_keys, verify_npm_attestations, verify_npm_bundle
from attestations.pep740 import verify_pypi_attestation, verify_pypi_provenance
from attestations.result import AttestationCheck, PublisherIdentity
from attestations.trustroot import load_trusted_root, make_verifier, shipped_root_path

ATT = Path(__file__).resolve().parent.parent / "fixtures" / "attestations"
PYPI, NPM = ATT / "pypi", ATT / "npm"
SDIST = "pypi_attestations-0.0.19.tar.gz"
PACOTE_SHA512 = (
    "282c0c5fa936d264321643581b65d3de5c0af6ed4fdfac12f5851115df39cc25"
    "cfaf0ad22d908487bfef30114d61c25746206d1834be4f8fd1659178f77cc004"
)


def cases() -> list[tuple[str, bytes, str, Callable[[], AttestationCheck]]]:
    """(label, bundle bytes, artifact digest, verify) for every production-signed valid bundle."""
    from datetime import UTC, datetime

    from attestations.digests import to_sri

    verifier = make_verifier(load_trusted_root(now=datetime(2026, 11, 26, tzinfo=UTC)))
    keys_doc = json.loads((NPM / "npm-cli_audit_registry-keys.json").read_text())
    keys = parse_registry_keys(keys_doc)
    sha = hashlib.sha256((PYPI / SDIST).read_bytes()).hexdigest()
    tob = PublisherIdentity(
        kind="github", repository="https://github.com/trailofbits/pypi-attestations"
    )
    out: list[tuple[str, bytes, str, Callable[[], AttestationCheck]]] = []

    def add(label: str, raw: bytes, artifact: str, fn: Callable[[], AttestationCheck]) -> None:
        out.append((label, raw, artifact, fn))

    prov = (PYPI / f"{SDIST}.provenance").read_bytes()
    add(
        "pypi provenance",
        prov,
        sha,
        lambda: verify_pypi_provenance(prov, SDIST, sha, verifier=verifier),
    )
    for name in (f"{SDIST}.publish.attestation", f"{SDIST}.slsa.attestation"):
        raw = (PYPI / name).read_bytes()
        add(
            name,
            raw,
            sha,
            lambda raw=raw: verify_pypi_attestation(
                raw, SDIST, sha, verifier=verifier, expected=tob
            ),
        )
    pac = to_sri("sha512", PACOTE_SHA512)
    for name, release, integrity in [
        ("pacote_valid-attestations.json", "sigstore@0.4.0", pac),
        (
            "npm-cli_valid-sigstore-attestations.json",
            "sigstore@1.0.0",
            keys_doc["dist"]["sigstore@1.0.0"]["integrity"],
        ),
        (
            "npm-cli_valid-tuf-js-attestations.json",
            "tuf-js@1.0.0",
            keys_doc["dist"]["tuf-js@1.0.0"]["integrity"],
        ),
    ]:
        raw = (NPM / name).read_bytes()
        n, _, v = release.partition("@")
        add(
            name,
            raw,
            integrity,
            lambda raw=raw, n=n, v=v, i=integrity: verify_npm_attestations(
                raw, n, v, i, verifier=verifier, registry_keys=keys
            ),
        )
    integrity = keys_doc["dist"]["sigstore@1.0.0"]["integrity"]
    for path in sorted(NPM.glob("sigstore-js_*.sigstore")):
        raw = path.read_bytes()
        add(
            path.name,
            raw,
            integrity,
            lambda raw=raw: verify_npm_bundle(
                raw, "sigstore", "1.0.0", integrity, verifier=verifier
            ),
        )
    return out


def main(n: int = 200) -> None:
    """Verify ``n`` bundles cold, then again through the cache, and print per-bundle times."""
    all_cases = cases()
    policy = policy_key(trust_root=digest_of(shipped_root_path().read_bytes()))
    work = [all_cases[i % len(all_cases)] for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp, VerificationCache(Path(tmp) / "c.sqlite") as cache:
        results = []
        start = time.perf_counter()
        for label, _, _, fn in work:
            check = fn()
            if not check.ok:
                raise SystemExit(f"{label} failed: {check.reason}")
            results.append(check)
        cold = (time.perf_counter() - start) / n
        for (_, raw, artifact, _), check in zip(work, results, strict=True):
            cache.put(digest_of(raw), artifact, policy, check)
        start = time.perf_counter()
        for label, raw, artifact, _ in work:
            hit = cache.get(digest_of(raw), artifact, policy)
            if hit is None or not hit.cached:
                raise SystemExit(f"{label}: cache miss")
        warm = (time.perf_counter() - start) / n
    print(f"{n} bundles cycling through {len(all_cases)} real valid bundles (offline)")
    print(f"cold   (verify):      {cold * 1e3:8.3f} ms/bundle")
    print(f"cached (hash + get):  {warm * 1e3:8.3f} ms/bundle")
    print(f"ratio cold/cached:    {cold / warm:8.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
