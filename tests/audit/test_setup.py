"""The sources a run uses, end to end against the loopback OSV server and a real database."""

from __future__ import annotations

from scanner._testing.osv_server import OsvApiServer
from scanner.audit.auditor import audit_packages
from scanner.audit.interface import Ecosystem, Package
from scanner.audit.osv_db import import_osv
from scanner.audit.setup import AuditSettings, advisory_sources
from tests.audit.conftest import OSV, load

REQ = Package(Ecosystem.PYPI, "requests", "2.30.0")
MIXIN = Package(Ecosystem.NPM, "mixin-deep", "1.3.1")


def test_online_pypi_through_pip_audit_and_npm_through_querybatch(tmp_path):
    answers = {
        ("PyPI", "requests", "2.30.0"): ("PYSEC-2023-74",),
        ("npm", "mixin-deep", "1.3.1"): ("GHSA-fhjf-83wg-r2j9",),
    }
    records = {i: load(i) for i in ("PYSEC-2023-74", "GHSA-fhjf-83wg-r2j9")}
    with OsvApiServer(records, answers) as srv:
        settings = AuditSettings(osv_url=srv.base_url, cache_dir=tmp_path, timeout=5)
        with advisory_sources(settings) as sources:
            req, mixin = audit_packages([REQ, MIXIN], sources)
        paths = [p for _, p in srv.requests]
    assert req.source.startswith("pip-audit") and req.advisories[0].id == "PYSEC-2023-74"
    assert mixin.source == "OSV API" and mixin.advisories[0].id == "GHSA-fhjf-83wg-r2j9"
    assert "/v1/query" in paths and "/v1/querybatch" in paths


def test_offline_uses_the_imported_database(tmp_path):
    db = tmp_path / "osv.db"
    import_osv(db, OSV, now="2026-03-01T00:00:00Z")
    with advisory_sources(AuditSettings(offline=True, osv_db=db)) as sources:
        req, mixin = audit_packages([REQ, MIXIN], sources)
    assert req.advisories[0].id == "PYSEC-2023-74" and mixin.advisories[0].fixed == (
        "1.3.2",
        "2.0.1",
    )


def test_offline_without_a_database_is_incomplete(tmp_path):
    settings = AuditSettings(offline=True, osv_db=tmp_path / "missing.db")
    with advisory_sources(settings) as sources:
        results = audit_packages([REQ, MIXIN], sources)
    assert all(not r.complete and not r.clean for r in results)


def test_audit_stage_reports_per_agent_and_component(tmp_path):
    from scanner.audit.run import audit_stage
    from scanner.models import Component, EvidenceKind, VersionEvidence

    def comp(eco, name, version):
        ev = VersionEvidence(EvidenceKind.LOCKFILE)
        return Component(f"pkg:{eco}/{name}@{version}", eco, name, version, ev, direct=False)

    db = tmp_path / "osv.db"
    import_osv(db, OSV, now="2026-03-01T00:00:00Z")
    pairs = [
        ("a", comp("pypi", "requests", "2.30.0")),
        ("b", comp("pypi", "requests", "2.30.0")),
        ("b", comp("npm", "01template1", "1.0.0")),
        ("b", comp("pypi", "requests", "2.31.0")),
    ]
    found = audit_stage(pairs, AuditSettings(offline=True, osv_db=db))
    assert [(a, f.code, f.subject) for a, f in found] == [
        ("a", "CW400", "pkg:pypi/requests@2.30.0"),
        ("b", "CW400", "pkg:pypi/requests@2.30.0"),
        ("b", "CW401", "pkg:npm/01template1@1.0.0"),
    ]
    missing = audit_stage(pairs[:1], AuditSettings(offline=True, osv_db=tmp_path / "none.db"))
    assert [f.code for _, f in missing] == ["CW402"]
