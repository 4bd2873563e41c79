"""The audit stage of a run: every (agent, component) pair in, findings per agent out."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.audit.auditor import audit_packages, package_of
from scanner.audit.findings import audit_findings
from scanner.audit.setup import AuditSettings, advisory_sources
from scanner.models import Component, Finding


def audit_stage(
    pairs: Iterable[tuple[str | None, Component]], settings: AuditSettings
) -> list[tuple[str | None, Finding]]:
    """Audit each distinct package once; report its findings for every agent that uses it."""
    wanted = [(agent, c, p) for agent, c in pairs if (p := package_of(c)) is not None]
    with advisory_sources(settings) as sources:
        results = {r.package: r for r in audit_packages((p for _, _, p in wanted), sources)}
    found: list[tuple[str | None, Finding]] = []
    for agent, c, p in wanted:
        result = results[p]
        if result.advisories or not result.complete or result.warnings:  # else: no findings
            found.extend((agent, f) for f in audit_findings(c.purl, result))
    return found
