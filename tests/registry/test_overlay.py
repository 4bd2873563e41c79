"""The attestation overlay: real provenance, attestations, signatures and keys served on loopback.

Everything goes through the loopback fixture registry and the real registry classes, then through
the offline verifiers with the shipped Sigstore trusted root, as a scan would.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sigstore.verify import Verifier

from attestations.npm import verify_npm_attestations
from attestations.pep740 import verify_pypi_provenance
from attestations.reasons import Reason
from attestations.registry_keys import verify_registry_signatures
from attestations.trustroot import load_trusted_root, make_verifier
from scanner._testing.fixture_server import FixtureRegistry, default_fixture_dir
from scanner.registry import NpmRegistry, PyPIRegistry, make_client
from scanner.registry.interface import ReleaseFacts

from .conftest import run

REPO = Path(__file__).resolve().parents[2]
OVERLAY = default_fixture_dir() / "overlay"
REAL = REPO / "fixtures" / "attestations"
# The shipped root's side file says it was pinned on 2026-11-26 (as in tests/attestations).
FROZEN_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SDIST = "pypi_attestations-0.0.19.tar.gz"
KEYID = "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA"


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    """A verifier over the shipped production trusted root."""
    return make_verifier(load_trusted_root(now=FROZEN_NOW))


@functools.cache
def _script() -> ModuleType:
    """scripts/overlay_attestations.py as a module (scripts/ is not a package)."""
    path = REPO / "scripts" / "overlay_attestations.py"
    spec = importlib.util.spec_from_file_location("overlay_attestations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["overlay_attestations"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _pypi(reg: FixtureRegistry, name: str, version: str) -> tuple[ReleaseFacts, Any]:
    async def go() -> tuple[ReleaseFacts, Any]:
        async with make_client(cache_dir=None) as client:
            pypi = PyPIRegistry(client, reg.config().pypi_simple)
            release = await pypi.release(name, version)
            return release, await pypi.attestations(release)

    return run(go())


def _npm(reg: FixtureRegistry, name: str, version: str) -> tuple[ReleaseFacts, Any, Any]:
    async def go() -> tuple[ReleaseFacts, Any, Any]:
        async with make_client(cache_dir=None) as client:
            npm = NpmRegistry(client, reg.config().npm)
            release = await npm.release(name, version)
            return release, await npm.attestations(release), await npm.signing_keys()

    return run(go())


def test_pypi_provenance_is_served_and_verifies(
    fixture_registry: FixtureRegistry, verifier: Verifier
) -> None:
    release, provenance = _pypi(fixture_registry, "pypi-attestations", "0.0.19")
    files = {f.filename: f for f in release.files}
    sdist = files[SDIST]
    assert sdist.provenance_url == fixture_registry.url(
        "pypi", f"integrity/pypi-attestations/0.0.19/{SDIST}/provenance"
    )
    assert files["pypi_attestations-0.0.19-py3-none-any.whl"].provenance_url is None
    # The mirror's sha256 is the sha256 of the real, signed file.
    assert sdist.sha256 == hashlib.sha256((REAL / "pypi" / SDIST).read_bytes()).hexdigest()
    assert provenance == json.loads((OVERLAY / "pypi" / f"{SDIST}.provenance").read_bytes())
    assert sdist.sha256 is not None
    check = verify_pypi_provenance(provenance, SDIST, sdist.sha256, verifier=verifier)
    assert check.ok, check.reason
    assert check.identity is not None
    assert check.identity.repository == "https://github.com/trailofbits/pypi-attestations"
    assert check.identity.workflow == ".github/workflows/release.yml"
    # A provenance served for another file's digest does not verify.
    other = files["pypi_attestations-0.0.19-py3-none-any.whl"]
    assert other.sha256 is not None
    wrong = verify_pypi_provenance(provenance, SDIST, other.sha256, verifier=verifier)
    assert wrong.reason.startswith(Reason.DIGEST_MISMATCH), wrong.reason


def test_pypi_page_speaks_api_1_3_only_where_overlaid(fixture_registry: FixtureRegistry) -> None:
    pages = {}
    for name in ("pypi-attestations", "rfc8785", "mcp"):
        response = httpx.get(fixture_registry.url("pypi", f"simple/{name}/"))
        pages[name] = response.json()
    assert pages["pypi-attestations"]["meta"]["api-version"] == "1.3"
    assert pages["rfc8785"]["meta"]["api-version"] == "1.1"
    assert pages["mcp"]["meta"]["api-version"] == "1.1"


def test_rfc8785_is_recorded_but_not_attested(fixture_registry: FixtureRegistry) -> None:
    release, provenance = _pypi(fixture_registry, "rfc8785", "0.1.2")
    wheel = next(f for f in release.files if f.filename == "rfc8785-0.1.2-py3-none-any.whl")
    real = REAL / "pypi" / wheel.filename
    assert wheel.sha256 == hashlib.sha256(real.read_bytes()).hexdigest()
    assert all(f.provenance_url is None for f in release.files)
    assert provenance is None


def test_rfc8785_attestation_names_no_trusted_publisher() -> None:
    # Why rfc8785 is not overlaid: its real attestations are signed by an e-mail identity.
    script = _script()
    from pypi_attestations import Attestation

    for name in (
        "rfc8785-0.1.2-py3-none-any.whl.attestation",
        "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
    ):
        att = Attestation.model_validate_json((OVERLAY / "pypi" / name).read_bytes())
        with pytest.raises(script.Refused, match="email william@yossarian.net"):
            script.publisher_from_attestation(att)
    sdist_att = (REAL / "pypi" / f"{SDIST}.publish.attestation").read_bytes()
    publisher = script.publisher_from_attestation(Attestation.model_validate_json(sdist_att))
    assert publisher == {
        "kind": "GitHub",
        "repository": "trailofbits/pypi-attestations",
        "workflow": "release.yml",
        "environment": None,
    }


@pytest.mark.parametrize(
    ("name", "repository"),
    [("sigstore", "sigstore/sigstore-js"), ("tuf-js", "theupdateframework/tuf-js")],
)
def test_npm_cli_releases_verify_with_served_keys(
    fixture_registry: FixtureRegistry, verifier: Verifier, name: str, repository: str
) -> None:
    release, doc, served_keys = _npm(fixture_registry, name, "1.0.0")
    assert release.attestations_url == fixture_registry.url(
        "npm", f"-/npm/v1/attestations/{name}@1.0.0"
    )
    assert [s.keyid for s in release.signatures] == [KEYID]
    keys = served_keys
    (tarball,) = release.files
    assert tarball.integrity is not None
    real = json.loads((REAL / "npm" / "npm-cli_audit_registry-keys.json").read_bytes())
    assert tarball.integrity == real["dist"][f"{name}@1.0.0"]["integrity"]
    check = verify_npm_attestations(
        doc, name, "1.0.0", tarball.integrity, verifier=verifier, registry_keys=keys
    )
    assert check.ok, check.reason
    assert check.identity is not None
    assert check.identity.repository == f"https://github.com/{repository}"
    signatures = [{"keyid": s.keyid, "sig": s.sig} for s in release.signatures]
    sig = verify_registry_signatures(
        name, "1.0.0", tarball.integrity, signatures, keys, published_at=release.published
    )
    assert sig.ok, sig.reason
    # The signature covers name@version:integrity: another version's does not verify.
    other = verify_registry_signatures(name, "1.0.1", tarball.integrity, signatures, keys)
    assert other.reason.startswith(Reason.SIGNATURE)


def test_pacote_release_verifies_without_registry_signatures(
    fixture_registry: FixtureRegistry, verifier: Verifier
) -> None:
    release, doc, served_keys = _npm(fixture_registry, "sigstore", "0.4.0")
    assert release.signatures == ()
    assert release.files[0].integrity is not None
    check = verify_npm_attestations(
        doc, "sigstore", "0.4.0", release.files[0].integrity,
        verifier=verifier, registry_keys=served_keys,
    )  # fmt: skip
    assert check.ok, check.reason
    assert check.predicate_types == (
        "https://slsa.dev/provenance/v0.2",
        "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
    )
    # Its publish attestation is signed by the registry key: without the keys it fails closed.
    none = verify_npm_attestations(
        doc, "sigstore", "0.4.0", release.files[0].integrity, verifier=verifier, registry_keys=()
    )
    assert none.reason.startswith(Reason.UNKNOWN_KEY), none.reason


def test_negative_release_fails_for_the_right_reasons(
    fixture_registry: FixtureRegistry, verifier: Verifier
) -> None:
    release, doc, served_keys = _npm(fixture_registry, "sigstore", "1.4.0")
    assert release.signatures == ()
    assert release.attestations_url is not None and doc is not None
    integrity = release.files[0].integrity
    assert integrity is not None
    check = verify_npm_attestations(
        doc, "sigstore", "1.4.0", integrity, verifier=verifier, registry_keys=served_keys
    )
    assert not check.ok
    first, second = check.reason.split("; ")
    assert first.startswith(Reason.SUBJECT_MISMATCH) and "(attestation 0)" in first
    assert "pkg:npm/sigstore@0.4.0" in first
    assert second.startswith(Reason.DIGEST_MISMATCH) and "(attestation 1)" in second


def test_unattested_npm_releases_stay_unattested(fixture_registry: FixtureRegistry) -> None:
    release, doc, _ = _npm(fixture_registry, "sigstore", "5.0.1")
    assert release.attestations_url is None and release.signatures == () and doc is None


def test_served_bodies_point_at_loopback(fixture_registry: FixtureRegistry) -> None:
    overlaid = [
        p for p in fixture_registry.paths()
        if p.startswith(("/npm/-/", "/pypi/integrity/"))
        or p in ("/npm/sigstore", "/npm/tuf-js", "/pypi/simple/pypi-attestations/")
    ]  # fmt: skip
    assert len(overlaid) == 9
    for path in overlaid:
        body = httpx.get(fixture_registry.base_url + path).text
        assert ".invalid" not in body, path
    packument = httpx.get(fixture_registry.url("npm", "sigstore")).json()
    url = packument["versions"]["1.0.0"]["dist"]["attestations"]["url"]
    assert url == fixture_registry.url("npm", "-/npm/v1/attestations/sigstore@1.0.0")


def test_served_documents_are_the_upstream_bytes(fixture_registry: FixtureRegistry) -> None:
    for source in sorted(OVERLAY.glob("*/*")):
        assert source.read_bytes() == (REAL / source.parent.name / source.name).read_bytes()
    served = httpx.get(fixture_registry.url("npm", "-/npm/v1/attestations/tuf-js@1.0.0"))
    upstream = (OVERLAY / "npm" / "npm-cli_valid-tuf-js-attestations.json").read_bytes()
    assert served.content == upstream


def test_overlay_step_is_rerunnable(tmp_path: Path, verifier: Verifier) -> None:
    folder = tmp_path / "registry"
    shutil.copytree(default_fixture_dir(), folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    lines = _script().apply(folder, verifier)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before == after
    assert any("NEGATIVE" in line for line in lines)
    assert any("rfc8785" in line and "NOT overlaid" in line for line in lines)


def test_overlay_step_fails_loudly_on_a_tampered_document(
    tmp_path: Path, verifier: Verifier
) -> None:
    folder = tmp_path / "registry"
    shutil.copytree(default_fixture_dir(), folder)
    target = folder / "overlay" / "npm" / "npm-cli_valid-tuf-js-attestations.json"
    target.chmod(0o644)
    doc = json.loads(target.read_bytes())
    doc["attestations"] = doc["attestations"][:1] + doc["attestations"][:1]
    doc["attestations"][1] = json.loads(
        (folder / "overlay" / "npm" / "npm-cli_valid-sigstore-attestations.json").read_bytes()
    )["attestations"][1]
    target.write_text(json.dumps(doc))
    keys = folder / "npm" / "-" / "npm" / "v1" / "keys.json"
    keys.unlink()  # written by the step before it reaches tuf-js, if it wrote early
    script = _script()
    with pytest.raises(script.OverlayError, match="tuf-js@1.0.0: attestations do not verify"):
        script.apply(folder, verifier)
    assert not keys.exists()  # nothing is written unless every case passes
