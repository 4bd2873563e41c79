"""Audit results as findings: one per advisory (aliases grouped), one for an incomplete audit."""

from __future__ import annotations

from scanner.audit.interface import AuditResult
from scanner.checks.codes import Code, finding
from scanner.models import Finding


def audit_findings(subject: str, result: AuditResult) -> list[Finding]:
    """The findings for one component (its purl as the subject) from its audit result."""
    out = []
    for adv in result.advisories:
        aliases = ", ".join(adv.aliases) or None
        if adv.is_malware:
            out.append(
                finding(
                    Code.MALWARE,
                    subject,
                    f"malicious package ({adv.id}): remove it; there is no fixed version",
                    severity=adv.severity,
                    advisory=adv.id,
                    aliases=aliases,
                    source=result.source,
                )
            )
            continue
        fix = f"fixed in {', '.join(adv.fixed)}" if adv.fixed else "no fixed version known"
        out.append(
            finding(
                Code.VULNERABILITY,
                subject,
                f"{adv.id}: {adv.summary or 'no summary'} ({fix})",
                severity=adv.severity,
                advisory=adv.id,
                aliases=aliases,
                fixed=", ".join(adv.fixed) or None,
                severity_from=adv.severity_source or None,
                source=result.source,
            )
        )
    if not result.complete:
        out.append(
            finding(
                Code.AUDIT_INCOMPLETE,
                subject,
                "vulnerability and malware audit incomplete: not known to be clean",
                reason=result.reason,
                source=result.source,
            )
        )
    out.extend(
        finding(Code.AUDIT_INCOMPLETE, subject, "advisory record skipped", reason=w)
        for w in result.warnings
        if result.complete  # an incomplete result already carries one finding
    )
    return out
