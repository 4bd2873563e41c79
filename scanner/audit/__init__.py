"""Vulnerability and malware audit: advisory sources behind one interface, and the OSV evaluator."""

from __future__ import annotations

from scanner.audit.auditor import audit_components, audit_packages, package_of
from scanner.audit.findings import audit_findings
from scanner.audit.interface import (
    AdapterError,
    Advisory,
    AdvisorySource,
    AuditError,
    AuditResult,
    Ecosystem,
    OsvDatabaseError,
    Package,
    SourceUnavailable,
)
from scanner.audit.osv_api import OsvApiSource, osv_base_url
from scanner.audit.osv_db import ImportReport, OfflineOsvSource, default_osv_db_path, import_osv
from scanner.audit.setup import AuditSettings, advisory_sources

__all__ = [
    "AdapterError",
    "Advisory",
    "AdvisorySource",
    "AuditError",
    "AuditResult",
    "AuditSettings",
    "Ecosystem",
    "ImportReport",
    "OfflineOsvSource",
    "OsvApiSource",
    "OsvDatabaseError",
    "Package",
    "SourceUnavailable",
    "advisory_sources",
    "audit_components",
    "audit_findings",
    "audit_packages",
    "default_osv_db_path",
    "import_osv",
    "osv_base_url",
    "package_of",
]
