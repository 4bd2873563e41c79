"""Publisher identity on real attestation data: trust on first use, loss of attestation, pins."""

from __future__ import annotations

from pathlib import Path

from attestations.result import PublisherIdentity, Status
from scanner._testing.fixture_server import FixtureRegistry
from scanner.models import Inventory
from scanner.store import IdentityAction, IdentityUpdate, open_store

from .conftest import fleet, scan


def _high(result: object) -> list[tuple[str, str]]:
    return [(f.code, f.subject) for _, f in result.findings if f.severity.rank >= 3]  # type: ignore[attr-defined]


def test_first_scan_remembers_identity_second_sees_no_change(
    registry: FixtureRegistry, tmp_path: Path, store_db
) -> None:
    inventory = fleet(tmp_path, {"s": ["npx", "-y", "sigstore@1.0.0"]})
    with open_store(store_db) as store:
        first = scan(registry, inventory, tmp_path, store)
        (verdict,) = first.verdicts.values()
        assert verdict.status is Status.VERIFIED
        assert verdict.identity is not None
        assert verdict.identity.repository == "https://github.com/sigstore/sigstore-js"
        remembered = store.publisher_identity("pkg:npm/sigstore")
        assert remembered is not None and remembered.identity == verdict.identity
        second = scan(registry, inventory, tmp_path, store)
        assert _high(second) == []


def test_attested_then_unattested_is_high(
    registry: FixtureRegistry, tmp_path: Path, store_db
) -> None:
    # sigstore@1.0.0 carries real npm provenance; the recorded 5.0.1 carries none (the mirror this
    # fixture was recorded from serves no attestations), so to chainwatch it is unattested.
    with open_store(store_db) as store:
        scan(
            registry, fleet(tmp_path / "a", {"s": ["npx", "-y", "sigstore@1.0.0"]}), tmp_path, store
        )
        later = scan(
            registry, fleet(tmp_path / "b", {"s": ["npx", "-y", "sigstore@5.0.1"]}), tmp_path, store
        )
        (verdict,) = later.verdicts.values()
        assert verdict.status is Status.NO_ATTESTATION
        assert ("CW204", "pkg:npm/sigstore@5.0.1") in _high(later)
        # The baseline keeps the attested identity, so the finding repeats until accepted.
        kept = store.publisher_identity("pkg:npm/sigstore")
        assert kept is not None and kept.attested


def test_publisher_change_is_high(registry: FixtureRegistry, tmp_path: Path, store_db) -> None:
    # Two real identities: tuf-js@1.0.0's publisher (theupdateframework/tuf-js) is remembered as
    # the publisher of `sigstore`, as if the package had moved to another repository; then the
    # real sigstore@1.0.0 (sigstore/sigstore-js) is scanned.
    tuf = scan(registry, fleet(tmp_path / "t", {"t": ["npx", "-y", "tuf-js@1.0.0"]}), tmp_path)
    (tuf_verdict,) = tuf.verdicts.values()
    assert tuf_verdict.identity is not None
    with open_store(store_db) as store:
        store.record_scan(
            kind="scan",
            started_at="2026-01-01T00:00:00+00:00",
            finished_at="2026-01-01T00:00:00+00:00",
            inputs={},
            inventory=Inventory(),
            identities=[IdentityUpdate("pkg:npm/sigstore", "0.9.0", tuf_verdict.identity)],
        )
        result = scan(
            registry, fleet(tmp_path / "s", {"s": ["npx", "-y", "sigstore@1.0.0"]}), tmp_path, store
        )
        assert ("CW203", "pkg:npm/sigstore@1.0.0") in _high(result)
        message = next(f.message for _, f in result.findings if f.code == "CW203")
        assert "theupdateframework/tuf-js" in message and "sigstore/sigstore-js" in message


def test_accepting_a_publisher_clears_the_finding(
    registry: FixtureRegistry, tmp_path: Path, store_db
) -> None:
    with open_store(store_db) as store:
        store.record_scan(
            kind="scan",
            started_at="t",
            finished_at="t",
            inputs={},
            inventory=Inventory(),
            identities=[
                IdentityUpdate(
                    "pkg:npm/sigstore",
                    "0.9.0",
                    PublisherIdentity("github", repository="https://github.com/elsewhere/x"),
                )
            ],
        )
        inventory = fleet(tmp_path, {"s": ["npx", "-y", "sigstore@1.0.0"]})
        changed = scan(registry, inventory, tmp_path, store)
        assert ("CW203", "pkg:npm/sigstore@1.0.0") in _high(changed)
        (seen,) = changed.verdicts.values()
        store.set_identity(
            "pkg:npm/sigstore", seen.identity, action=IdentityAction.ACCEPTED, at="t2"
        )
        assert _high(scan(registry, inventory, tmp_path, store)) == []


PYLOCK = """lock-version = "1.0"
created-by = "test"
[[packages]]
name = "pypi-attestations"
version = "0.0.19"
[packages.sdist]
name = "pypi_attestations-0.0.19.tar.gz"
url = "https://files.registry.invalid/x/pypi_attestations-0.0.19.tar.gz"
hashes = {{ sha256 = "{sha}" }}
[[packages.attestation-identities]]
kind = "GitHub"
repository = "{repo}"
workflow = "release.yml"
"""


def _sdist_sha() -> str:
    import json

    from tests.conftest import FIXTURES

    page = json.loads((FIXTURES / "registry/pypi/simple/pypi-attestations.json").read_text())
    return next(
        f["hashes"]["sha256"]
        for f in page["files"]
        if f["filename"] == "pypi_attestations-0.0.19.tar.gz"
    )


def test_pylock_identity_pin(registry: FixtureRegistry, tmp_path: Path) -> None:
    sha = _sdist_sha()
    good = fleet(
        tmp_path / "good",
        {},
        {"pylock.toml": PYLOCK.format(sha=sha, repo="trailofbits/pypi-attestations")},
    )
    (verdict,) = scan(registry, good, tmp_path).verdicts.values()
    assert verdict.status is Status.VERIFIED

    bad = fleet(
        tmp_path / "bad", {}, {"pylock.toml": PYLOCK.format(sha=sha, repo="evil/pypi-attestations")}
    )
    result = scan(registry, bad, tmp_path)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.ATTESTATION_INVALID
    assert "attestation-identities" in verdict.reason
    assert any(f.code == "CW205" for _, f in result.findings)
