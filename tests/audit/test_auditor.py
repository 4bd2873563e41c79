"""Components (direct and from dependency trees) routed to sources; nothing is clean by default."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.audit import __all__ as audit_all
from scanner.audit.auditor import audit_components
from scanner.audit.interface import AdvisorySource, AuditResult, Ecosystem, Package
from scanner.models import Component, EvidenceKind, VersionEvidence


class Recording(AdvisorySource):
    """A source that records what it was asked and answers clean (to test the routing only)."""

    name = "recording"

    def __init__(self) -> None:
        self.asked: list[Package] = []

    def audit(self, packages: Sequence[Package]) -> list[AuditResult]:
        self.asked.extend(packages)
        return [AuditResult(p, self.name) for p in packages]


def comp(eco: str, name: str, version: str | None, *, direct: bool = True) -> Component:
    return Component(
        purl=f"pkg:{eco}/{name}@{version}",
        ecosystem=eco,
        name=name,
        version=version,
        evidence=VersionEvidence(EvidenceKind.LOCKFILE if version else EvidenceKind.UNRESOLVED),
        direct=direct,
    )


def test_transitive_components_are_audited_once_each():
    src = Recording()
    comps = [
        comp("pypi", "requests", "2.30.0"),
        comp("pypi", "urllib3", "2.0.0", direct=False),  # from a dependency tree
        comp("npm", "mixin-deep", "1.3.1", direct=False),
        comp("pypi", "requests", "2.30.0", direct=False),  # the same package twice
        comp("oci", "image", "sha256:00"),  # not a package ecosystem: not audited here
    ]
    results = audit_components(comps, {Ecosystem.PYPI: src, Ecosystem.NPM: src})
    assert [r.package.name for r in results] == ["requests", "urllib3", "mixin-deep"]
    assert all(r.clean for r in results)
    assert len(src.asked) == 3


def test_no_version_or_no_source_is_incomplete():
    src = Recording()
    results = audit_components(
        [comp("pypi", "floating", None), comp("npm", "x", "1.0.0")], {Ecosystem.PYPI: src}
    )
    assert [(r.complete, r.clean) for r in results] == [(False, False), (False, False)]
    assert results[0].reason == "no exact version known"
    assert "no advisory source for npm" in results[1].reason
    assert src.asked == []


def test_public_names_are_sorted():
    assert list(audit_all) == sorted(audit_all)


def test_every_public_name_loads_and_the_timeouts_agree() -> None:
    # The package loads its names lazily; each must resolve, and setup's copy of the OSV API
    # timeout (kept apart so an offline audit never imports httpx) must be the API's own.
    import scanner.audit
    from scanner.audit import osv_api, setup

    for name in audit_all:
        assert getattr(scanner.audit, name) is not None
    assert setup.DEFAULT_TIMEOUT == osv_api.DEFAULT_TIMEOUT
