"""npm: real documents and sigstore-js bundles verify offline; pacote's negatives fail right."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sigstore.verify import Verifier

from attestations.errors import AttestationError
from attestations.npm import (
    npm_purl,
    parse_registry_keys,
    verify_npm_attestations,
    verify_npm_bundle,
    verify_registry_signatures,
)
from attestations.reasons import Reason
from attestations.registry_keys import RegistryKey
from attestations.result import PublisherIdentity
from attestations.sigbundle import verify_bundle

from .conftest import NPM, PACOTE_INTEGRITY

SIGSTORE_JS = PublisherIdentity(
    kind="github",
    repository="https://github.com/sigstore/sigstore-js",
    workflow=".github/workflows/publish.yml",
)
SIGSTORE_JS_BUNDLES = sorted(p.name for p in NPM.glob("sigstore-js_*.sigstore"))


def _pacote(name: str, verifier: Verifier, keys: tuple[RegistryKey, ...], **kw: Any):
    raw = (NPM / f"pacote_{name}-attestations.json").read_bytes()
    return verify_npm_attestations(
        raw, "sigstore", "0.4.0", PACOTE_INTEGRITY, verifier=verifier, registry_keys=keys, **kw
    )


def test_purl_encodes_scope() -> None:
    assert npm_purl("sigstore", "1.0.0") == "pkg:npm/sigstore@1.0.0"
    assert npm_purl("@scope/name", "1.2.3") == "pkg:npm/%40scope/name@1.2.3"


def test_pacote_valid_document(verifier: Verifier, registry_keys) -> None:
    check = _pacote("valid", verifier, registry_keys, expected=SIGSTORE_JS)
    assert check.ok, check.reason
    assert check.identity is not None and check.identity.repository == SIGSTORE_JS.repository
    assert check.predicate_types == (
        "https://slsa.dev/provenance/v0.2",
        "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
    )


@pytest.mark.parametrize(
    ("doc", "release", "repository"),
    [
        ("npm-cli_valid-sigstore-attestations.json", "sigstore@1.0.0", "sigstore/sigstore-js"),
        ("npm-cli_valid-tuf-js-attestations.json", "tuf-js@1.0.0", "theupdateframework/tuf-js"),
    ],
)
def test_npm_cli_valid_documents_and_registry_signatures(
    verifier: Verifier, registry_keys, keys_doc, doc: str, release: str, repository: str
) -> None:
    name, _, version = release.partition("@")
    dist = keys_doc["dist"][release]
    check = verify_npm_attestations(
        (NPM / doc).read_bytes(),
        name,
        version,
        dist["integrity"],
        verifier=verifier,
        registry_keys=registry_keys,
    )
    assert check.ok, check.reason
    assert check.identity is not None
    assert check.identity.repository == f"https://github.com/{repository}"
    sig = verify_registry_signatures(
        name, version, dist["integrity"], dist["signatures"], registry_keys
    )
    assert sig.ok, sig.reason


@pytest.mark.parametrize("bundle", SIGSTORE_JS_BUNDLES)
def test_sigstore_js_bundles(verifier: Verifier, keys_doc, bundle: str) -> None:
    # Their statement names sigstore@1.0.0, whose integrity npm/cli's fixture records; the
    # tarball is not a fixture, so only "the signed subject is that integrity" is checked.
    data = json.loads((NPM / bundle).read_text())
    integrity = keys_doc["dist"]["sigstore@1.0.0"]["integrity"]
    check = verify_npm_bundle(data, "sigstore", "1.0.0", integrity, verifier=verifier)
    assert check.ok, check.reason
    assert check.identity == PublisherIdentity(
        kind="email", issuer="https://github.com/login/oauth", subject="brian@dehamer.com"
    )
    from attestations.npm import _AnyFulcioSigner

    envelope = verify_bundle(data, verifier=verifier, policy=_AnyFulcioSigner())
    modern = "dsse" in bundle and "no-proof" not in bundle
    assert envelope.path == ("sigstore-python" if modern else "legacy")


@pytest.mark.parametrize(
    ("case", "reason", "text"),
    [
        ("invalid", Reason.SIGNATURE, "(attestation 1)"),
        ("malformed-subject", Reason.MALFORMED, "no sha512"),
        ("mismatched-keyid", Reason.UNKNOWN_KEY, "JXkT/aBM9baLZ7dpjJLQhJrj3Ru5s/OSXoZzZsPUyhg"),
        ("mismatched-subject-digest", Reason.DIGEST_MISMATCH, "123c0c5fa936d264"),
        ("mismatched-subject-name", Reason.SUBJECT_MISMATCH, "pkg:npm/sigstore@1.4.0"),
        ("unsupported", Reason.UNSUPPORTED, "tlog-entry-mismatch"),
    ],
)
def test_pacote_negative_cases(
    verifier: Verifier, registry_keys, case: str, reason: Reason, text: str
) -> None:
    check = _pacote(case, verifier, registry_keys)
    assert not check.ok
    assert check.reason.startswith(reason), check.reason
    assert text in check.reason


def test_pacote_no_keyid(verifier: Verifier, registry_keys) -> None:
    check = _pacote("no-keyid", verifier, registry_keys)
    assert not check.ok
    # pacote's fixture also alters attestation 0's signature padding; both problems are reported.
    assert f"{Reason.MISSING_KEYID}: key-signed attestation has no keyid" in check.reason
    assert "(attestation 1)" in check.reason


def test_unsupported_predicate_type(verifier: Verifier, registry_keys) -> None:
    doc = json.loads((NPM / "pacote_valid-attestations.json").read_text())
    doc["attestations"][0]["predicateType"] = "https://example.invalid/predicate/v9"
    check = verify_npm_attestations(
        doc, "sigstore", "0.4.0", PACOTE_INTEGRITY, verifier=verifier, registry_keys=registry_keys
    )
    assert check.reason.startswith(Reason.UNSUPPORTED) and "predicate" in check.reason


def test_wrong_release_and_wrong_identity(verifier: Verifier, registry_keys) -> None:
    raw = (NPM / "pacote_valid-attestations.json").read_bytes()
    wrong_name = verify_npm_attestations(
        raw,
        "sigstore-evil",
        "0.4.0",
        PACOTE_INTEGRITY,
        verifier=verifier,
        registry_keys=registry_keys,
    )
    assert wrong_name.reason.startswith(Reason.SUBJECT_MISMATCH)
    for field, value in [
        ("repository", "https://github.com/evil/sigstore-js"),
        ("workflow", ".github/workflows/other.yml"),
    ]:
        check = _pacote(
            "valid", verifier, registry_keys, expected=replace(SIGSTORE_JS, **{field: value})
        )
        assert check.reason.startswith(Reason.IDENTITY_MISMATCH) and field in check.reason


def test_without_registry_keys_publish_attestation_fails(verifier: Verifier) -> None:
    check = _pacote("valid", verifier, ())
    assert check.reason.startswith(Reason.UNKNOWN_KEY), check.reason


def test_publish_attestation_after_key_expiry_fails(verifier: Verifier, keys_doc) -> None:
    doc = json.loads(json.dumps(keys_doc))
    doc["keys"][0]["expires"] = (
        "2023-01-01T00:00:00.000Z"  # pacote's publish entry is from 2023-01-11
    )
    check = _pacote("valid", verifier, parse_registry_keys(doc))
    assert check.reason.startswith(Reason.EXPIRED_KEY), check.reason
    doc["keys"][0]["expires"] = "2025-01-29T00:00:00.000Z"
    assert _pacote("valid", verifier, parse_registry_keys(doc)).ok


def test_tampered_rekor_set_fails(verifier: Verifier, registry_keys) -> None:
    doc = json.loads((NPM / "pacote_valid-attestations.json").read_text())
    entry = doc["attestations"][0]["bundle"]["verificationMaterial"]["tlogEntries"][0]
    entry["integratedTime"] = str(int(entry["integratedTime"]) + 1)
    check = verify_npm_attestations(
        doc, "sigstore", "0.4.0", PACOTE_INTEGRITY, verifier=verifier, registry_keys=registry_keys
    )
    assert check.reason.startswith(Reason.TRANSPARENCY_LOG) and "SET" in check.reason


def test_staging_root_refuses_production_bundles(staging_verifier: Verifier, registry_keys) -> None:
    check = _pacote("valid", staging_verifier, registry_keys)
    assert check.reason.startswith(Reason.TRANSPARENCY_LOG), check.reason


def test_registry_signature_failures(registry_keys, keys_doc) -> None:
    dist = keys_doc["dist"]["sigstore@1.0.0"]
    sigs = dist["signatures"]
    bad = verify_registry_signatures("sigstore", "1.0.1", dist["integrity"], sigs, registry_keys)
    assert bad.reason.startswith(Reason.SIGNATURE)
    unknown = [{"keyid": "SHA256:unknown", "sig": sigs[0]["sig"]}]
    check = verify_registry_signatures(
        "sigstore", "1.0.0", dist["integrity"], unknown, registry_keys
    )
    assert check.reason.startswith(Reason.UNKNOWN_KEY)
    empty = verify_registry_signatures("sigstore", "1.0.0", dist["integrity"], [], registry_keys)
    assert empty.reason.startswith(Reason.NO_ATTESTATIONS)
    nokey = [{"sig": sigs[0]["sig"]}]
    check = verify_registry_signatures("sigstore", "1.0.0", dist["integrity"], nokey, registry_keys)
    assert check.reason.startswith(Reason.MISSING_KEYID)


def test_registry_signature_and_key_expiry(keys_doc) -> None:
    doc = json.loads(json.dumps(keys_doc))
    doc["keys"][0]["expires"] = "2025-01-29T00:00:00.000Z"
    keys = parse_registry_keys(doc)
    dist = doc["dist"]["sigstore@1.0.0"]
    args = ("sigstore", "1.0.0", dist["integrity"], dist["signatures"], keys)
    before = datetime(2023, 3, 1, tzinfo=UTC)
    after = datetime(2025, 6, 1, tzinfo=UTC)
    assert verify_registry_signatures(*args, published_at=before).ok
    assert verify_registry_signatures(*args, published_at=after).reason.startswith(
        Reason.EXPIRED_KEY
    )
    assert verify_registry_signatures(*args).reason.startswith(Reason.EXPIRED_KEY)  # unknown time


def test_parse_registry_keys_refuses_bad_documents(keys_doc) -> None:
    wrong = json.loads(json.dumps(keys_doc))
    wrong["keys"][0]["keyid"] = "SHA256:" + base64.b64encode(b"x" * 32).decode().rstrip("=")
    with pytest.raises(AttestationError, match="fingerprint"):
        parse_registry_keys(wrong)
    with pytest.raises(AttestationError):
        parse_registry_keys(b"{}")


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"attestations": 1}'])
def test_malformed_documents(verifier: Verifier, raw: bytes) -> None:
    check = verify_npm_attestations(
        raw, "sigstore", "0.4.0", PACOTE_INTEGRITY, verifier=verifier, registry_keys=()
    )
    assert check.reason.startswith(Reason.MALFORMED)


def test_empty_document_is_not_a_pass(verifier: Verifier) -> None:
    check = verify_npm_attestations(
        b'{"attestations": []}',
        "sigstore",
        "0.4.0",
        PACOTE_INTEGRITY,
        verifier=verifier,
        registry_keys=(),
    )
    assert check.reason.startswith(Reason.NO_ATTESTATIONS)


def test_every_sigstore_js_bundle_is_covered() -> None:
    assert len(SIGSTORE_JS_BUNDLES) == 9
