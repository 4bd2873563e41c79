"""Vulnerability and malware audit: advisory sources behind one interface, and the OSV evaluator."""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
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

# Public name -> the module that defines it: each loads on first use (PEP 562), so an offline
# audit never loads httpx or pip-audit.
_EXPORTS = {
    "AdapterError": "scanner.audit.interface",
    "Advisory": "scanner.audit.interface",
    "AdvisorySource": "scanner.audit.interface",
    "AuditError": "scanner.audit.interface",
    "AuditResult": "scanner.audit.interface",
    "AuditSettings": "scanner.audit.setup",
    "Ecosystem": "scanner.audit.interface",
    "ImportReport": "scanner.audit.osv_db",
    "OfflineOsvSource": "scanner.audit.osv_db",
    "OsvApiSource": "scanner.audit.osv_api",
    "OsvDatabaseError": "scanner.audit.interface",
    "Package": "scanner.audit.interface",
    "SourceUnavailable": "scanner.audit.interface",
    "advisory_sources": "scanner.audit.setup",
    "audit_components": "scanner.audit.auditor",
    "audit_findings": "scanner.audit.findings",
    "audit_packages": "scanner.audit.auditor",
    "default_osv_db_path": "scanner.audit.osv_db",
    "import_osv": "scanner.audit.osv_db",
    "osv_base_url": "scanner.audit.osv_api",
    "package_of": "scanner.audit.auditor",
}


def __getattr__(name: str) -> object:
    """Load a public name's module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
