"""The only module that touches pip-audit's private API (`pip_audit._service`).

pip-audit is pinned exactly in pyproject.toml; importing this module checks the installed version
and tests exercise every private name used here, so an API move fails loudly.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version as installed_version
from pathlib import Path

import requests
from packaging.version import InvalidVersion, Version
from pip_audit._service import OsvService, ResolvedDependency, ServiceError, VulnerabilityResult

from scanner.audit.advisories import ASSUMED, group_aliases
from scanner.audit.interface import (
    AdapterError,
    Advisory,
    AdvisorySource,
    AuditResult,
    Ecosystem,
    Package,
)
from scanner.models import Severity

PIP_AUDIT_VERSION = "2.10.1"

if installed_version("pip-audit") != PIP_AUDIT_VERSION:
    raise AdapterError(
        f"pip-audit {installed_version('pip-audit')} is installed; the adapter needs "
        f"{PIP_AUDIT_VERSION} exactly",
        hint=f"pip install pip-audit=={PIP_AUDIT_VERSION}",
    )


def public_osv_base() -> str:
    """The public OSV API base (…/v1), taken from pip-audit's OSV service."""
    url: str = OsvService.DEFAULT_OSV_URL
    return url.rsplit("/", 1)[0]


def _advisory(result: VulnerabilityResult) -> Advisory:
    ids = {result.id, *result.aliases}
    malware = any(i.startswith("MAL-") for i in ids)
    return Advisory(
        id=result.id,
        aliases=tuple(sorted(set(result.aliases) - {result.id})),
        summary=" ".join(result.description.split())[:300],
        # pip-audit does not pass severity on: unknown is assumed high (fail closed).
        severity=Severity.CRITICAL if malware else Severity.HIGH,
        fixed=() if malware else tuple(str(v) for v in result.fix_versions),
        is_malware=malware,
        severity_source="malicious-packages record (MAL-)" if malware else ASSUMED,
    )


class PipAuditSource(AdvisorySource):
    """PyPI packages audited through pip-audit's OSV service (its /v1/query endpoint)."""

    name = "pip-audit (OSV)"

    def __init__(self, *, cache_dir: Path, timeout: int = 20, osv_base: str | None = None) -> None:
        base = (osv_base or public_osv_base()).rstrip("/")
        self.service = OsvService(cache_dir=cache_dir, timeout=timeout, osv_url=f"{base}/query")

    def audit(self, packages: Sequence[Package]) -> list[AuditResult]:
        """One result per package; npm and unparseable versions are incomplete with the reason."""
        return [self._one(p) for p in packages]

    def _one(self, package: Package) -> AuditResult:
        if package.ecosystem != Ecosystem.PYPI:
            return AuditResult(
                package, self.name, complete=False, reason="pip-audit audits PyPI only"
            )
        try:
            dep = ResolvedDependency(name=package.name, version=Version(package.version))
        except InvalidVersion:
            return AuditResult(
                package, self.name, complete=False, reason=f"{package.version!r} is not PEP 440"
            )
        try:
            _, found = self.service.query(dep)
        # pip-audit turns only connect timeouts and HTTP errors into ServiceError; read
        # timeouts, broken connections and truncated bodies escape as requests errors or
        # ValueError (JSON). Every one of them means "no answer", never "clean".
        except (ServiceError, requests.RequestException, ValueError, KeyError, TypeError) as exc:
            return AuditResult(
                package,
                self.name,
                complete=False,
                reason=f"{self.name}: no answer for {package.name} ({type(exc).__name__}: {exc})",
            )
        advisories = [_advisory(r) for r in found]
        return AuditResult(package, self.name, group_aliases(package, advisories))
