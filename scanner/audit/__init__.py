"""Vulnerability and malware audit: advisory sources behind one interface, and the OSV evaluator."""

from __future__ import annotations

from scanner.audit.auditor import audit_components, audit_packages, package_of
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

__all__ = [
    "AdapterError",
    "Advisory",
    "AdvisorySource",
    "AuditError",
    "AuditResult",
    "Ecosystem",
    "ImportReport",
    "OfflineOsvSource",
    "OsvApiSource",
    "OsvDatabaseError",
    "Package",
    "SourceUnavailable",
    "audit_components",
    "audit_packages",
    "default_osv_db_path",
    "import_osv",
    "osv_base_url",
    "package_of",
]
