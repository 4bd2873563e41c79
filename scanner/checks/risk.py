"""Pure risk-signal checks over registry facts."""

from __future__ import annotations

from datetime import datetime, timedelta

from scanner.checks.codes import Code, finding
from scanner.models import Component, Finding, Severity
from scanner.registry.interface import ReleaseFacts

_BAD_STATUS = {"archived", "quarantined", "deprecated"}

# Most malicious releases are found and pulled within days; waiting a week before running a new
# release lets that happen first. Callers (a policy's maximum release age) may set their own.
DEFAULT_MIN_RELEASE_AGE = timedelta(days=7)


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


def release_age_finding(
    component: Component,
    release: ReleaseFacts,
    now: datetime,
    min_age: timedelta = DEFAULT_MIN_RELEASE_AGE,
) -> Finding | None:
    """CW216 when ``release`` was published less than ``min_age`` before ``now``.

    The publish time is the registry's (npm ``time[version]``, PyPI's earliest file upload). A
    release without one raises nothing here: its age is unknown, not young; the evidence says
    which time was used so a reader can check it.
    """
    published = release.published
    if published is None or min_age <= timedelta(0):
        return None
    age = now - published
    if age >= min_age:
        return None
    return finding(
        Code.RECENT_RELEASE,
        component.purl,
        f"{release.name} {release.version} was published {_span(age)} ago, "
        f"less than the minimum release age of {_span(min_age)}",
        published=published.isoformat(timespec="seconds"),
        age_hours=f"{max(age, timedelta(0)).total_seconds() / 3600:.1f}",
        min_age_hours=f"{min_age.total_seconds() / 3600:.1f}",
    )


def _span(delta: timedelta) -> str:
    # A release dated after the scan's clock (skewed clocks) is "0 hours" old, never negative.
    hours = max(delta, timedelta(0)).total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"


def local_script_unpinned(component: Component, pins: dict[str, str]) -> Finding | None:
    """CW110 for a local script hashed at scan time whose hash no agent manifest pins.

    The hash only says what the file is now; without a pin (``[agent.pins]`` keyed by the
    script's name or purl) an edit to the script changes what runs and nothing flags it. A
    pinned hash that differs is CW108, raised by the scan.
    """
    if component.ecosystem != "local" or component.version is None:
        return None  # a missing script is CW103 already
    if pins.get(component.key) is not None or pins.get(component.name) is not None:
        return None
    return finding(
        Code.LOCAL_SCRIPT_UNPINNED,
        component.purl,
        f"local script {component.name} runs unpinned: pin {component.version} in the agent "
        "manifest to notice when it changes",
        path=component.path,
        sha256=component.version.removeprefix("sha256:"),
    )
