"""The verification cache on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sigstore.verify import Verifier

from attestations.cache import VerificationCache, digest_of, policy_key
from attestations.pep740 import verify_pypi_provenance
from attestations.trustroot import shipped_root_path

from .conftest import PYPI, SDIST, sha256_of


def test_second_verification_is_a_hit(verifier: Verifier, tmp_path: Path) -> None:
    raw = (PYPI / f"{SDIST}.provenance").read_bytes()
    artifact = sha256_of(PYPI / SDIST)
    policy = policy_key(trust_root=digest_of(shipped_root_path().read_bytes()))
    with VerificationCache(tmp_path / "cache.sqlite") as cache:
        key = (digest_of(raw), f"sha256:{artifact}", policy)
        assert cache.get(*key) is None
        check = verify_pypi_provenance(raw, SDIST, artifact, verifier=verifier)
        cache.put(*key, check)
        hit = cache.get(*key)  # bench/bench_verify.py measures how much faster this is
    assert hit is not None and hit.cached and not check.cached
    assert (hit.ok, hit.reason, hit.identity, hit.predicate_types) == (
        check.ok,
        check.reason,
        check.identity,
        check.predicate_types,
    )
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT count(*) FROM verification_cache").fetchone() == (1,)
    db.close()


def test_other_policy_or_artifact_misses(tmp_path: Path, verifier: Verifier) -> None:
    raw = (PYPI / f"{SDIST}.provenance").read_bytes()
    check = verify_pypi_provenance(raw, SDIST, "0" * 64, verifier=verifier)
    with VerificationCache(tmp_path / "c.sqlite") as cache:
        cache.put("b", "a", "p", check)
        assert cache.get("b", "a", "p") is not None and not cache.get("b", "a", "p").ok
        assert cache.get("b", "a", "other") is None
        assert cache.get("b", "other", "p") is None
