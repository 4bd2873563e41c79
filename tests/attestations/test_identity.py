"""Publisher identity: extraction from real certificates, comparison rules, PEP 751 pins."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest
from cryptography import x509
from pypi_attestations import Attestation, GitHubPublisher

from attestations.errors import AttestationError
from attestations.identity import (
    compare_identities,
    identity_from_certificate,
    identity_from_publisher,
    matches_pin,
)
from attestations.result import PublisherIdentity

from .conftest import NPM, PYPI, SDIST


def _cert_of_attestation(name: str) -> x509.Certificate:
    att = Attestation.model_validate_json((PYPI / name).read_bytes())
    return x509.load_der_x509_certificate(att.verification_material.certificate)


@pytest.fixture(scope="module")
def pypi_attestations_identity() -> PublisherIdentity:
    return identity_from_certificate(_cert_of_attestation(f"{SDIST}.publish.attestation"))


@pytest.fixture(scope="module")
def sigstore_js_identity() -> PublisherIdentity:
    doc = json.loads((NPM / "npm-cli_valid-sigstore-attestations.json").read_text())
    raw = doc["attestations"][0]["bundle"]["verificationMaterial"]["x509CertificateChain"]
    cert = x509.load_der_x509_certificate(base64.b64decode(raw["certificates"][0]["rawBytes"]))
    return identity_from_certificate(cert)


def test_identity_from_modern_github_certificate(pypi_attestations_identity) -> None:
    assert pypi_attestations_identity == PublisherIdentity(
        kind="github",
        issuer="https://token.actions.githubusercontent.com",
        repository="https://github.com/trailofbits/pypi-attestations",
        repository_id="772247423",
        owner_id="2314423",
        workflow=".github/workflows/release.yml",
        runner_environment="github-hosted",
    )


def test_identity_from_2023_certificate_without_ids(sigstore_js_identity) -> None:
    assert sigstore_js_identity.repository == "https://github.com/sigstore/sigstore-js"
    assert sigstore_js_identity.workflow == ".github/workflows/publish.yml"
    assert sigstore_js_identity.repository_id is None  # extension not issued yet


def test_identity_from_pem_fixtures() -> None:
    pem = (PYPI / "no-source-repository-ref-extension.pem").read_bytes()
    ident = identity_from_certificate(x509.load_pem_x509_certificate(pem))
    assert ident == PublisherIdentity(
        kind="github",
        issuer="https://token.actions.githubusercontent.com",
        repository="https://github.com/SWIFTSIM/swiftgalaxy",
        repository_id="488271795",
        owner_id="37541309",
        workflow=".github/workflows/python-publish.yml",
        runner_environment="github-hosted",
    )
    google = identity_from_certificate(
        x509.load_pem_x509_certificate((PYPI / "200170367.pem").read_bytes())
    )
    assert google.kind == "google" and google.issuer == "https://accounts.google.com"
    assert google.subject == "919436158236-compute@developer.gserviceaccount.com"
    assert matches_pin(
        google, {"kind": "Google", "email": "919436158236-compute@developer.gserviceaccount.com"}
    )


def test_identity_from_publisher_matches_certificate(pypi_attestations_identity) -> None:
    publisher = GitHubPublisher(repository="trailofbits/pypi-attestations", workflow="release.yml")
    from_publisher = identity_from_publisher(publisher)
    assert compare_identities(from_publisher, pypi_attestations_identity) == ()
    as_dict = {
        "kind": "GitHub",
        "repository": "trailofbits/pypi-attestations",
        "workflow": "release.yml",
        "environment": None,
    }
    assert identity_from_publisher(as_dict) == from_publisher
    with pytest.raises(AttestationError):
        identity_from_publisher({"kind": "Nope"})


def test_two_real_publishers_are_a_change(pypi_attestations_identity, sigstore_js_identity) -> None:
    changed = compare_identities(pypi_attestations_identity, sigstore_js_identity)
    assert "repository" in changed and "workflow" in changed
    # repository_id is absent on the 2023 certificate, so it is not reported (see module rules).
    assert "repository_id" not in changed


def test_same_name_new_repository_id_is_a_change(pypi_attestations_identity) -> None:
    resurrected = replace(pypi_attestations_identity, repository_id="999999999")
    assert compare_identities(pypi_attestations_identity, resurrected) == ("repository_id",)


def test_attested_to_unattested(pypi_attestations_identity) -> None:
    assert compare_identities(pypi_attestations_identity, None) == ("attestation",)
    assert compare_identities(None, pypi_attestations_identity) == ()
    assert compare_identities(None, None) == ()


def test_environment_and_case_rules(pypi_attestations_identity) -> None:
    with_env = replace(pypi_attestations_identity, environment="pypi")
    assert compare_identities(with_env, pypi_attestations_identity) == ("environment",)
    upper = replace(
        pypi_attestations_identity, repository="https://github.com/TrailOfBits/PyPI-Attestations"
    )
    assert compare_identities(pypi_attestations_identity, upper) == ()
    hosted = replace(pypi_attestations_identity, runner_environment="self-hosted")
    assert compare_identities(pypi_attestations_identity, hosted) == ("runner_environment",)


def test_matches_pin(pypi_attestations_identity) -> None:
    ident = pypi_attestations_identity
    assert matches_pin(ident, {"kind": "GitHub", "repository": "trailofbits/pypi-attestations"})
    assert matches_pin(
        ident,
        {
            "kind": "GitHub",
            "repository": "trailofbits/pypi-attestations",
            "workflow": "release.yml",
        },
    )
    assert not matches_pin(ident, {"kind": "GitHub", "repository": "evil/pypi-attestations"})
    assert not matches_pin(ident, {"kind": "GitHub", "workflow": "other.yml"})
    assert not matches_pin(ident, {"kind": "GitLab", "repository": "trailofbits/pypi-attestations"})
    assert not matches_pin(ident, {"kind": "GitHub", "environment": "pypi"})
    assert not matches_pin(ident, {"kind": "GitHub", "surprise": "x"})  # unknown key: fail closed
    assert not matches_pin(ident, {"repository": "trailofbits/pypi-attestations"})  # no kind
    assert not matches_pin(None, {"kind": "GitHub"})
