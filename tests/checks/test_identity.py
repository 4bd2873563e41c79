"""Trust on first use as a pure function over typed values."""

from __future__ import annotations

from attestations.result import Status
from scanner.baseline import IdentityAction, StoredIdentity
from scanner.checks.identity import identity_checks

from ._values import ELSEWHERE, SIGSTORE_JS, verdict


def test_baseline_is_the_newest_version_by_semver_not_by_string() -> None:
    # 1.10.0 is newer than 1.9.0; as strings "1.9.0" sorts last and would become the baseline.
    old = verdict("sigstore", "1.9.0", Status.NO_ATTESTATION)
    new = verdict("sigstore", "1.10.0", Status.VERIFIED, SIGSTORE_JS)
    _, updates = identity_checks([new, old], {})
    (update,) = updates
    assert update.version == "1.10.0"
    assert update.identity == SIGSTORE_JS
    assert update.action is IdentityAction.FIRST_USE


def test_baseline_is_the_newest_version_by_pep440() -> None:
    old = verdict("mcp", "1.9.4", Status.NO_ATTESTATION, ecosystem="pypi")
    new = verdict("mcp", "1.10.0", Status.NO_ATTESTATION, ecosystem="pypi")
    _, (update,) = identity_checks([new, old], {})
    assert update.version == "1.10.0"


def test_first_seen_unattested_then_attested_names_the_identity() -> None:
    stored = {"pkg:npm/sigstore": StoredIdentity("pkg:npm/sigstore", None, "t", "0.9.0")}
    v = verdict("sigstore", "1.0.0", Status.VERIFIED, SIGSTORE_JS)
    findings, (update,) = identity_checks([v], stored)
    (found,) = findings[v.component.purl]
    assert found.code == "CW215"
    assert "sigstore/sigstore-js" in found.message
    assert dict(found.evidence)["identity"] == SIGSTORE_JS.describe()
    assert update.action is IdentityAction.ATTESTED and update.identity == SIGSTORE_JS


def test_pinned_identity_is_checked_and_never_replaced() -> None:
    pin = StoredIdentity("pkg:npm/sigstore", SIGSTORE_JS, "t", None, pinned=True)
    other = verdict("sigstore", "1.0.0", Status.VERIFIED, ELSEWHERE)
    findings, updates = identity_checks([other], {"pkg:npm/sigstore": pin})
    (found,) = findings[other.component.purl]
    assert found.code == "CW203" and "trust pin" in found.message
    assert updates == []
    same = verdict("sigstore", "1.0.0", Status.VERIFIED, SIGSTORE_JS)
    findings, updates = identity_checks([same], {"pkg:npm/sigstore": pin})
    assert findings == {} and updates == []
    lost = verdict("sigstore", "1.0.1", Status.REGISTRY_SIGNED)
    findings, _ = identity_checks([lost], {"pkg:npm/sigstore": pin})
    assert [f.code for f in findings[lost.component.purl]] == ["CW204"]


def test_a_pin_with_fewer_fields_matches_an_identity_with_more() -> None:
    loose = SIGSTORE_JS.__class__("github", repository="https://github.com/sigstore/sigstore-js")
    pin = StoredIdentity("pkg:npm/sigstore", loose, "t", None, pinned=True)
    v = verdict("sigstore", "1.0.0", Status.VERIFIED, SIGSTORE_JS)
    findings, _ = identity_checks([v], {"pkg:npm/sigstore": pin})
    assert findings == {}
