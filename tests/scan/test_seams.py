"""Verification tells the truth at its seams: publish-only npm releases, the npm signing keys,
the verification cache key, downloads and the HTTP cache, and the scan's clock. All against the
loopback registry serving real recorded data."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from attestations.errors import TrustRootError
from attestations.npm import PREDICATE_PUBLISH
from attestations.result import Status
from scanner._testing.fixture_server import Fault, FixtureRegistry
from tests.conftest import FIXTURES

from .conftest import fleet, scan
from .test_integrity import SDIST, _registry_with_artifact, _requirements, _sha

SIGSTORE = {"s": ["npx", "-y", "sigstore@1.0.0"]}


def _fixture_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "registry"
    shutil.copytree(FIXTURES / "registry", folder)
    return folder


def test_publish_attestation_without_provenance_is_registry_signed(tmp_path: Path) -> None:
    # The real sigstore@1.0.0 document from npm/cli's tests, keeping only its publish attestation
    # (signed by the registry key): the registry vouches for the upload, nobody for the build.
    folder = _fixture_copy(tmp_path)
    doc_path = folder / "overlay/npm/npm-cli_valid-sigstore-attestations.json"
    doc = json.loads(doc_path.read_text())
    doc["attestations"] = [
        a for a in doc["attestations"] if a["predicateType"] == PREDICATE_PUBLISH
    ]
    assert len(doc["attestations"]) == 1
    doc_path.write_text(json.dumps(doc))
    with FixtureRegistry(folder) as registry:
        result = scan(registry, fleet(tmp_path / "f", SIGSTORE), tmp_path)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.REGISTRY_SIGNED, verdict.reason
    assert "without provenance" in verdict.reason
    assert verdict.identity is None
    codes = {f.code: f.severity.value for _, f in result.findings}
    assert codes.get("CW214") == "low"
    assert "CW203" not in codes and "CW201" not in codes  # no "signed by 0 identities"


def test_npm_keys_fetch_failure_makes_components_fetch_failed(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    registry.add_fault("/npm/-/npm/v1/keys", Fault(status=503))
    result = scan(registry, fleet(tmp_path, SIGSTORE), tmp_path)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.FETCH_FAILED, verdict.reason
    assert "keys" in verdict.reason and "503" in verdict.reason
    assert "unknown key" not in verdict.reason
    assert any(f.code == "CW207" for _, f in result.findings)


def test_npm_keys_missing_is_fetch_failed(registry: FixtureRegistry, tmp_path: Path) -> None:
    registry.add_fault("/npm/-/npm/v1/keys", Fault(status=404))
    (verdict,) = scan(registry, fleet(tmp_path, SIGSTORE), tmp_path).verdicts.values()
    assert verdict.status is Status.FETCH_FAILED
    assert "serves none" in verdict.reason


def _extra_key() -> dict[str, object]:
    """A second, valid P-256 registry key (keyid = its SSH-style fingerprint)."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    blob = base64.b64decode(ssh.split()[1])
    fp = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return {
        "expires": None,
        "key": base64.b64encode(der).decode(),
        "keyid": f"SHA256:{fp}",
        "keytype": "ecdsa-sha2-nistp256",
        "scheme": "ecdsa-sha2-nistp256",
    }


def _cache_policies(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "cache" / "verifications.sqlite") as conn:
        return [r[0] for r in conn.execute("SELECT policy FROM verification_cache")]


def test_verification_cache_key_names_the_registry_keys(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    inventory = fleet(tmp_path / "f", SIGSTORE)
    first = scan(registry, inventory, tmp_path)
    assert [v.status for v in first.verdicts.values()] == [Status.VERIFIED]
    assert len(_cache_policies(tmp_path)) == 1
    # The registry now publishes another key: a result judged under the old key set must not be
    # reused as if it were judged under this one.
    folder = _fixture_copy(tmp_path)
    keys = folder / "npm/-/npm/v1/keys.json"
    doc = json.loads(keys.read_text())
    doc["keys"].append(_extra_key())
    keys.write_text(json.dumps(doc))
    with FixtureRegistry(folder) as other:
        second = scan(other, inventory, tmp_path)
    assert [v.status for v in second.verdicts.values()] == [Status.VERIFIED]
    policies = _cache_policies(tmp_path)
    assert len(set(policies)) == 2, policies


def test_download_artifacts_stay_out_of_the_http_cache(tmp_path: Path) -> None:
    real = (FIXTURES / "attestations/pypi" / SDIST).read_bytes()
    with FixtureRegistry(_registry_with_artifact(tmp_path, real)) as server:
        inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
        (verdict,) = scan(server, inv, tmp_path, download=True).verdicts.values()
        assert any(r.path.endswith(SDIST) and r.status == 200 for r in server.requests)
    assert verdict.status is Status.VERIFIED, verdict.reason  # the bytes were hashed
    cached = [p.read_bytes() for p in (tmp_path / "cache" / "http").rglob("*") if p.is_file()]
    assert cached, "the metadata answers should be cached"
    assert not any(real in body or body.startswith(b"\x1f\x8b") for body in cached)


def test_scan_judges_the_trust_root_at_its_clock(registry: FixtureRegistry, tmp_path: Path) -> None:
    # After the pinned root's one-year limit the scan refuses it, whatever today's date is; the
    # tests and the demo pass a clock at the fixtures' recording, so they pass on any date.
    inventory = fleet(tmp_path, SIGSTORE)
    late = datetime(2027, 11, 27, tzinfo=UTC)
    with pytest.raises(TrustRootError, match="not usable"):
        scan(registry, inventory, tmp_path, clock=lambda: late)
    (verdict,) = scan(registry, inventory, tmp_path).verdicts.values()
    assert verdict.status is Status.VERIFIED
