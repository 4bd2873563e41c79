"""Audit results become findings; an incomplete audit is a finding at the gate's default level."""

from __future__ import annotations

from scanner.audit.findings import audit_findings
from scanner.audit.interface import Advisory, AuditResult, Ecosystem, Package
from scanner.checks.codes import Code
from scanner.models import Severity

PKG = Package(Ecosystem.PYPI, "requests", "2.30.0")
VULN = Advisory(
    "PYSEC-2023-74",
    ("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"),
    "Unintended leak of Proxy-Authorization header",
    Severity.MEDIUM,
    ("2.31.0",),
    False,
)
MAL = Advisory("MAL-2026-15859", (), "Malicious code", Severity.CRITICAL, (), True)


def test_one_finding_per_advisory_with_fix_and_aliases():
    (f,) = audit_findings("pkg:pypi/requests@2.30.0", AuditResult(PKG, "OSV API", (VULN,)))
    ev = dict(f.evidence)
    assert f.code == Code.VULNERABILITY.value and f.severity is Severity.MEDIUM
    assert "fixed in 2.31.0" in f.message
    assert ev["aliases"] == "CVE-2023-32681, GHSA-j8r2-6x86-q33q" and ev["fixed"] == "2.31.0"


def test_malware_is_critical_without_fix():
    (f,) = audit_findings("pkg:pypi/0requests@0.0.1", AuditResult(PKG, "db", (MAL,)))
    assert f.code == Code.MALWARE.value and f.severity is Severity.CRITICAL
    assert "fixed" not in dict(f.evidence)


def test_incomplete_audit_is_a_high_finding_with_the_reason():
    result = AuditResult(PKG, "OSV API", complete=False, reason="querybatch answered 500")
    (f,) = audit_findings("pkg:pypi/requests@2.30.0", result)
    assert f.code == Code.AUDIT_INCOMPLETE.value
    assert f.severity.rank >= Severity.HIGH.rank
    assert dict(f.evidence)["reason"] == "querybatch answered 500"


def test_clean_complete_audit_has_no_finding():
    assert audit_findings("pkg:pypi/requests@2.31.0", AuditResult(PKG, "db")) == []
