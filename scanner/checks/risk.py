"""Pure risk-signal checks over registry facts."""

from __future__ import annotations

from scanner.checks.codes import Code, finding
from scanner.models import Component, Finding, Severity
from scanner.registry.interface import ReleaseFacts

_BAD_STATUS = {"archived", "quarantined", "deprecated"}


def release_risks(component: Component, release: ReleaseFacts) -> tuple[Finding, ...]:
    """Yanked, deprecated, install scripts, project status."""
    out: list[Finding] = []
    subject = component.purl
    yanked = [f.filename for f in release.files if f.yanked]
    if release.yanked or (yanked and len(yanked) == len(release.files)):
        reason = next((f.yanked_reason for f in release.files if f.yanked_reason), None)
        out.append(
            finding(
                Code.YANKED, subject, f"{release.name} {release.version} is yanked", reason=reason
            )
        )
    if release.deprecated:
        out.append(
            finding(
                Code.DEPRECATED,
                subject,
                f"{release.name} {release.version} is deprecated: {release.deprecated}",
            )
        )
    if release.install_scripts:
        out.append(
            finding(
                Code.INSTALL_SCRIPTS,
                subject,
                f"{release.name} {release.version} runs install scripts: "
                f"{', '.join(release.install_scripts)}",
            )
        )
    if release.project_status and release.project_status.lower() in _BAD_STATUS:
        # A quarantined project is one the registry itself suspects of malware.
        quarantined = release.project_status.lower() == "quarantined"
        out.append(
            finding(
                Code.PROJECT_STATUS,
                subject,
                f"project {release.name} is {release.project_status} on the registry",
                severity=Severity.CRITICAL if quarantined else None,
            )
        )
    return tuple(out)
