"""`chainwatch scan` with the audit: findings per component and agent; incomplete trips the gate."""

from __future__ import annotations

import json

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner._testing.osv_server import OsvApiServer, OsvFault
from scanner.audit.osv_db import import_osv
from scanner.audit.setup import AuditSettings
from scanner.checks.gate import GatePolicy, Rule, decide
from scanner.models import Severity
from tests.scan.conftest import fleet, scan


@pytest.fixture
def registry():
    """The loopback registry serving fixtures/registry."""
    with FixtureRegistry() as server:
        yield server


SERVERS = {
    "fetch": ["uvx", "mcp-server-fetch==2026.10.24"],
    "remote": ["npx", "-y", "mcp-remote@0.1.29"],
}
# A record written for this test: every mcp-server-fetch release affected, fixed in 2099.1.1.
RECORD = {
    "id": "CWTEST-scan-1",
    "modified": "2026-01-01T00:00:00Z",
    "summary": "chainwatch test record",
    "database_specific": {"severity": "HIGH"},
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "mcp-server-fetch"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2099.1.1"}]}
            ],
        }
    ],
}


def _db(tmp_path):
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "CWTEST-scan-1.json").write_text(json.dumps(RECORD))
    import_osv(tmp_path / "osv.db", folder, now="2026-03-01T00:00:00Z")
    return tmp_path / "osv.db"


def _codes(result):
    return sorted((agent, f.code, f.subject) for agent, f in result.findings if f.code >= "CW400")


def test_offline_audit_adds_a_vulnerability_finding(registry, tmp_path):
    settings = AuditSettings(offline=True, osv_db=_db(tmp_path))
    result = scan(registry, fleet(tmp_path / "f", SERVERS), tmp_path, audit=settings)
    assert _codes(result) == [("agent", "CW400", "pkg:pypi/mcp-server-fetch@2026.10.24")]
    (vuln,) = [f for _, f in result.findings if f.code == "CW400"]
    assert vuln.severity is Severity.HIGH and dict(vuln.evidence)["fixed"] == "2099.1.1"
    gate = decide(result.verdicts.values(), result.findings, GatePolicy())
    assert any(t.rule is Rule.FAIL_ON and "CW400" in t.detail for t in gate.trips)


def test_missing_database_makes_every_package_audit_incomplete_and_trips(registry, tmp_path):
    settings = AuditSettings(offline=True, osv_db=tmp_path / "none.db")
    result = scan(registry, fleet(tmp_path / "f", SERVERS), tmp_path, audit=settings)
    assert [c for _, c, _ in _codes(result)] == ["CW402", "CW402"]
    gate = decide(result.verdicts.values(), result.findings, GatePolicy(fail_on=None))
    tripped = [t for t in gate.trips if t.detail == "audit incomplete"]
    assert {t.rule for t in tripped} == {Rule.UNCHECKED} and len(tripped) == 2
    assert gate.exit_code == 1
    allowed = decide(result.verdicts.values(), result.findings, GatePolicy(allow_unchecked=True))
    assert not [t for t in allowed.trips if t.detail == "audit incomplete"]


def test_online_audit_fault_is_incomplete_not_clean(registry, tmp_path):
    with OsvApiServer({}, {}) as osv:
        osv.faults["/v1/querybatch"] = OsvFault(status=500)
        osv.faults["/v1/query"] = OsvFault(status=500)
        settings = AuditSettings(osv_url=osv.base_url, cache_dir=tmp_path / "c", timeout=5)
        result = scan(registry, fleet(tmp_path / "f", SERVERS), tmp_path, audit=settings)
    assert [c for _, c, _ in _codes(result)] == ["CW402", "CW402"]


def test_online_audit_clean_answers_add_nothing(registry, tmp_path):
    with OsvApiServer({}, {}) as osv:
        settings = AuditSettings(osv_url=osv.base_url, cache_dir=tmp_path / "c", timeout=5)
        result = scan(registry, fleet(tmp_path / "f", SERVERS), tmp_path, audit=settings)
        asked = {p for _, p in osv.requests}
    assert _codes(result) == []
    assert asked == {"/v1/query", "/v1/querybatch"}  # pip-audit for PyPI, querybatch for npm


def test_scan_without_audit_asks_no_advisory_source(registry, tmp_path):
    result = scan(registry, fleet(tmp_path / "f", SERVERS), tmp_path)
    assert _codes(result) == []


def test_cli_offline_audit_without_database_fails_and_says_why(tmp_path):
    from click.testing import CliRunner

    from scanner._cli import main

    folder = tmp_path / "f"
    fleet(folder, {"fetch": ["uvx", "mcp-server-fetch==2026.10.24"]})
    args = ["--db", str(tmp_path / "store.db"), "scan", str(folder), "--offline", "--audit"]
    args += ["--osv-db", str(tmp_path / "none.db"), "--cache-dir", str(tmp_path / "c")]
    result = CliRunner().invoke(main, args, env={"CHAINWATCH_OSV_URL": "http://127.0.0.1:9/v1"})
    assert result.exit_code == 1, result.output
    assert "audit incomplete" in result.stdout
    assert "CW402" in result.stdout
