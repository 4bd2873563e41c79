"""The verification cache on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sigstore.verify import Verifier

from attestations.cache import VerificationCache, digest_of, load_key, policy_key
from attestations.pep740 import verify_pypi_provenance
from attestations.result import AttestationCheck
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


def _failing_check(verifier: Verifier) -> tuple[tuple[str, str, str], AttestationCheck]:
    """A real failure: the real provenance against a digest it does not attest."""
    raw = (PYPI / f"{SDIST}.provenance").read_bytes()
    check = verify_pypi_provenance(raw, SDIST, "0" * 64, verifier=verifier)
    assert not check.ok
    return (digest_of(raw), "sha256:" + "0" * 64, "policy"), check


def test_a_garbage_cache_file_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "verifications.sqlite"
    path.write_bytes(b"not a database, " * 512)
    with VerificationCache(path) as cache:
        cache.put("b", "a", "p", AttestationCheck(False, "x"))
        assert cache.get("b", "a", "p") == AttestationCheck(False, "x", cached=True)
    assert "rebuilding" in caplog.text


def test_a_garbage_row_is_a_miss_and_is_deleted(tmp_path: Path, verifier: Verifier) -> None:
    key, check = _failing_check(verifier)
    path = tmp_path / "c.sqlite"
    with VerificationCache(path, key=b"k" * 32) as cache:
        cache.put(*key, check)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE verification_cache SET result = ?, mac = 7", ('{"ok": [',))
    db.close()
    with VerificationCache(path, key=b"k" * 32) as cache:
        assert cache.get(*key) is None
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM verification_cache").fetchone() == (0,)
    db.close()


def test_a_forged_pass_is_not_believed(tmp_path: Path, verifier: Verifier) -> None:
    """Someone who can write the cache turns a cached failure into a pass for a made-up signer."""
    key, check = _failing_check(verifier)
    path = tmp_path / "c.sqlite"
    with VerificationCache(path, key=b"k" * 32) as cache:
        cache.put(*key, check)
        assert cache.get(*key) is not None and not cache.get(*key).ok  # type: ignore[union-attr]
    forged = {
        "ok": True,
        "reason": "verified",
        "identity": {"kind": "github", "repository": "https://github.com/evil/evil"},
        "predicate_types": [],
    }
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE verification_cache SET result = ?", (json.dumps(forged),))
    db.close()
    with VerificationCache(path, key=b"k" * 32) as cache:
        assert cache.get(*key) is None  # the MAC no longer checks: verify again
    # Rows written under another key (another machine's cache, a key that was replaced) neither.
    with VerificationCache(path, key=b"k" * 32) as cache:
        cache.put(*key, check)
    with VerificationCache(path, key=b"other key, 32 bytes long ......") as cache:
        assert cache.get(*key) is None


def test_the_key_is_created_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cache.key"
    first = load_key(path)
    assert first is not None and len(first) == 32
    assert load_key(path) == first
    assert path.stat().st_mode & 0o077 == 0
