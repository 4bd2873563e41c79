"""Digests: lockfile against registry, and (--download) the served bytes against both."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from attestations.result import Status
from scanner._testing.fixture_server import FixtureRegistry, default_fixture_dir
from tests.conftest import FIXTURES

from .conftest import fleet, scan

SDIST = "pypi_attestations-0.0.19.tar.gz"


def _page() -> dict:
    return json.loads((FIXTURES / "registry/pypi/simple/pypi-attestations.json").read_text())


def _sha(filename: str) -> str:
    return next(f["hashes"]["sha256"] for f in _page()["files"] if f["filename"] == filename)


def _requirements(sha: str) -> str:
    return f"pypi-attestations==0.0.19 --hash=sha256:{sha}\n"


def test_locked_hash_matches_registry(registry: FixtureRegistry, tmp_path: Path) -> None:
    inv = fleet(tmp_path, {}, {"requirements.txt": _requirements(_sha(SDIST))})
    (verdict,) = scan(registry, inv, tmp_path).verdicts.values()
    assert verdict.status is Status.VERIFIED


def test_locked_hash_differs_from_registry(registry: FixtureRegistry, tmp_path: Path) -> None:
    wrong = "f" * 64
    inv = fleet(tmp_path, {}, {"requirements.txt": _requirements(wrong)})
    result = scan(registry, inv, tmp_path)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.DIGEST_MISMATCH
    assert "ffffffffffffffff" in verdict.reason
    assert [f.severity.value for _, f in result.findings if f.code == "CW200"] == ["critical"]


def _registry_with_artifact(tmp_path: Path, data: bytes) -> Path:
    """A copy of the fixture registry that also serves the real sdist's bytes (or tampered ones)."""
    folder = tmp_path / "registry"
    shutil.copytree(default_fixture_dir(), folder)
    url = next(f["url"] for f in _page()["files"] if f["filename"] == SDIST)
    path = "/files" + url.split("files.registry.invalid", 1)[1]
    (folder / SDIST).write_bytes(data)
    manifest = json.loads((folder / "responses.json").read_text())
    manifest.append({"path": path, "file": SDIST, "content_type": "application/octet-stream"})
    (folder / "responses.json").write_text(json.dumps(manifest))
    return folder


def test_download_of_real_artifact_verifies(tmp_path: Path) -> None:
    real = (FIXTURES / "attestations/pypi" / SDIST).read_bytes()
    with FixtureRegistry(_registry_with_artifact(tmp_path, real)) as server:
        # Only the sdist is served, so the lockfile pins the release to it.
        inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
        (verdict,) = scan(server, inv, tmp_path, download=True).verdicts.values()
    assert verdict.status is Status.VERIFIED, verdict.reason


def test_download_of_tampered_artifact_is_a_mismatch(tmp_path: Path) -> None:
    real = bytearray((FIXTURES / "attestations/pypi" / SDIST).read_bytes())
    real[1000] ^= 0x01
    with FixtureRegistry(_registry_with_artifact(tmp_path, bytes(real))) as server:
        inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
        (verdict,) = scan(server, inv, tmp_path, download=True).verdicts.values()
    assert verdict.status is Status.DIGEST_MISMATCH
    assert "downloaded sha256" in verdict.reason


def test_download_that_fails_is_fetch_failed_not_verified(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    # The stock fixture registry serves metadata only: every artifact download answers 404.
    inv = fleet(tmp_path, {"p": ["uvx", "pypi-attestations==0.0.19"]})
    (verdict,) = scan(registry, inv, tmp_path, download=True).verdicts.values()
    assert verdict.status is Status.FETCH_FAILED
    assert "download failed" in verdict.reason
