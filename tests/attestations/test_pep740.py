"""PEP 740: real PyPI attestations verify offline; each tampering fails for the right reason."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypi_attestations import AttestationType
from sigstore.verify import Verifier

from attestations.errors import AttestationError
from attestations.pep740 import verify_pypi_attestation, verify_pypi_file, verify_pypi_provenance
from attestations.reasons import Reason
from attestations.result import PublisherIdentity

from .conftest import PYPI, SDIST, WHEEL, sha256_of

TRAILOFBITS = PublisherIdentity(
    kind="github",
    repository="https://github.com/trailofbits/pypi-attestations",
    workflow=".github/workflows/release.yml",
)


@pytest.fixture
def provenance() -> dict[str, object]:
    data: dict[str, object] = json.loads((PYPI / f"{SDIST}.provenance").read_text())
    return data


def test_provenance_verifies_with_real_identity(verifier: Verifier) -> None:
    raw = (PYPI / f"{SDIST}.provenance").read_bytes()
    check = verify_pypi_provenance(raw, SDIST, sha256_of(PYPI / SDIST), verifier=verifier)
    assert check.ok, check.reason
    assert check.predicate_types == (AttestationType.PYPI_PUBLISH_V1.value,)
    assert check.identity == PublisherIdentity(
        kind="github",
        issuer="https://token.actions.githubusercontent.com",
        repository="https://github.com/trailofbits/pypi-attestations",
        repository_id="772247423",
        owner_id="2314423",
        workflow=".github/workflows/release.yml",
        runner_environment="github-hosted",
    )


def test_provenance_with_matching_expectation(verifier: Verifier, provenance: dict) -> None:
    check = verify_pypi_file(PYPI / SDIST, provenance, verifier=verifier, expected=TRAILOFBITS)
    assert check.ok, check.reason


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (f"{SDIST}.publish.attestation", AttestationType.PYPI_PUBLISH_V1.value),
        (f"{SDIST}.slsa.attestation", AttestationType.SLSA_PROVENANCE_V1.value),
    ],
)
def test_single_attestations_verify(verifier: Verifier, name: str, kind: str) -> None:
    raw = (PYPI / name).read_bytes()
    check = verify_pypi_attestation(
        raw, SDIST, sha256_of(PYPI / SDIST), verifier=verifier, expected=TRAILOFBITS
    )
    assert check.ok, check.reason
    assert check.predicate_types == (kind,)


def test_attestation_with_rfc3161_timestamp_verifies(verifier: Verifier) -> None:
    raw = (PYPI / f"{SDIST}.publish.attestation.with_timestamp").read_bytes()
    signer = PublisherIdentity(kind="email", subject="jku@goto.fi")
    check = verify_pypi_attestation(
        raw, SDIST, sha256_of(PYPI / SDIST), verifier=verifier, expected=signer
    )
    assert check.ok, check.reason
    assert check.identity is not None and check.identity.issuer == "https://github.com/login/oauth"


@pytest.mark.parametrize("name", [f"{WHEEL}.attestation", f"{WHEEL}.publish.attestation"])
def test_staging_signed_attestations(
    verifier: Verifier, staging_verifier: Verifier, name: str
) -> None:
    raw = (PYPI / name).read_bytes()
    signer = PublisherIdentity(kind="email", subject="william@yossarian.net")
    digest = sha256_of(PYPI / WHEEL)
    staged = verify_pypi_attestation(raw, WHEEL, digest, verifier=staging_verifier, expected=signer)
    assert staged.ok, staged.reason
    # Signed against Sigstore staging: the production root must refuse the certificate chain.
    prod = verify_pypi_attestation(raw, WHEEL, digest, verifier=verifier, expected=signer)
    assert prod.reason.startswith(Reason.CERTIFICATE), prod.reason


def test_tampered_digest(verifier: Verifier, provenance: dict) -> None:
    check = verify_pypi_provenance(provenance, SDIST, "0" * 64, verifier=verifier)
    assert not check.ok and check.reason.startswith(Reason.DIGEST_MISMATCH), check.reason


def test_tampered_file_one_flipped_byte(
    verifier: Verifier, staging_verifier: Verifier, tmp_path: Path
) -> None:
    data = bytearray((PYPI / WHEEL).read_bytes())
    data[len(data) // 2] ^= 0x01
    copy = tmp_path / WHEEL
    copy.write_bytes(bytes(data))
    raw = (PYPI / f"{WHEEL}.publish.attestation").read_bytes()
    signer = PublisherIdentity(kind="email", subject="william@yossarian.net")
    check = verify_pypi_attestation(
        raw, WHEEL, sha256_of(copy), verifier=staging_verifier, expected=signer
    )
    assert check.reason.startswith(Reason.DIGEST_MISMATCH), check.reason
    # The production-signed sdist, through its provenance: same outcome.
    sdist = bytearray((PYPI / SDIST).read_bytes())
    sdist[100] ^= 0x01
    (tmp_path / SDIST).write_bytes(bytes(sdist))
    prov = (PYPI / f"{SDIST}.provenance").read_bytes()
    check = verify_pypi_file(tmp_path / SDIST, prov, verifier=verifier)
    assert check.reason.startswith(Reason.DIGEST_MISMATCH), check.reason


def test_wrong_repository_in_publisher(verifier: Verifier, provenance: dict) -> None:
    provenance["attestation_bundles"][0]["publisher"]["repository"] = "evil/pypi-attestations"
    check = verify_pypi_provenance(provenance, SDIST, sha256_of(PYPI / SDIST), verifier=verifier)
    assert check.reason.startswith(Reason.PUBLISHER_MISMATCH), check.reason
    assert "evil/pypi-attestations" in check.reason


def test_wrong_workflow_in_publisher(verifier: Verifier, provenance: dict) -> None:
    provenance["attestation_bundles"][0]["publisher"]["workflow"] = "other.yml"
    check = verify_pypi_provenance(provenance, SDIST, sha256_of(PYPI / SDIST), verifier=verifier)
    assert check.reason.startswith(Reason.PUBLISHER_MISMATCH), check.reason
    assert "other.yml" in check.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("repository", "https://github.com/evil/pypi-attestations"),
        ("workflow", ".github/workflows/other.yml"),
        ("repository_id", "1"),
        ("environment", "pypi"),
    ],
)
def test_expected_identity_mismatch(
    verifier: Verifier, provenance: dict, field: str, value: str
) -> None:
    expected = replace(TRAILOFBITS, **{field: value})
    check = verify_pypi_provenance(
        provenance, SDIST, sha256_of(PYPI / SDIST), verifier=verifier, expected=expected
    )
    assert check.reason.startswith(Reason.IDENTITY_MISMATCH), check.reason
    assert field in check.reason and check.identity is not None


def test_wrong_filename_is_subject_mismatch(verifier: Verifier, provenance: dict) -> None:
    other = "pypi_attestations-0.0.20.tar.gz"
    check = verify_pypi_provenance(provenance, other, sha256_of(PYPI / SDIST), verifier=verifier)
    assert check.reason.startswith(Reason.SUBJECT_MISMATCH), check.reason


def test_tampered_statement_breaks_signature(verifier: Verifier, provenance: dict) -> None:
    att = provenance["attestation_bundles"][0]["attestations"][0]
    sig = bytearray(base64.b64decode(att["envelope"]["signature"]))
    sig[-1] ^= 0x01
    att["envelope"]["signature"] = base64.b64encode(bytes(sig)).decode()
    check = verify_pypi_provenance(provenance, SDIST, sha256_of(PYPI / SDIST), verifier=verifier)
    assert check.reason.startswith(Reason.SIGNATURE), check.reason


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[]", b'{"version": 1}', b'{"version": 1, "attestation_bundles": 3}']
)
def test_malformed_json(verifier: Verifier, raw: bytes) -> None:
    check = verify_pypi_provenance(raw, SDIST, sha256_of(PYPI / SDIST), verifier=verifier)
    assert not check.ok and check.reason.startswith(Reason.MALFORMED), check.reason


def test_empty_provenance_is_not_a_pass(verifier: Verifier) -> None:
    raw = b'{"version": 1, "attestation_bundles": []}'
    check = verify_pypi_provenance(raw, SDIST, sha256_of(PYPI / SDIST), verifier=verifier)
    assert check.reason.startswith(Reason.NO_ATTESTATIONS)


def test_misuse_raises_attestation_error(verifier: Verifier) -> None:
    raw = (PYPI / f"{SDIST}.publish.attestation").read_bytes()
    with pytest.raises(AttestationError):
        verify_pypi_provenance(raw, SDIST, "not-hex", verifier=verifier)
    with pytest.raises(AttestationError):  # an empty expectation would accept anyone
        verify_pypi_attestation(
            raw, SDIST, "0" * 64, verifier=verifier, expected=PublisherIdentity(kind="github")
        )
