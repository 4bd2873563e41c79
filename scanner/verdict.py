"""The outcome of verifying one component: a frozen value shared by verify, checks and reports.

It lives apart from ``scanner.verify`` so the pure checks can read verdicts without importing the
verifier (which imports the checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from attestations.result import PublisherIdentity, Status
from scanner.models import Component, Finding
from scanner.registry.interface import ReleaseFacts


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one component.

    ``code`` names the finding code that explains a non-passing status more precisely than the
    status alone (e.g. CW206 for a bad registry signature); ``scanner.checks.status`` turns the
    status into its one finding.
    """

    component: Component  # with the resolved version when it floated
    status: Status
    reason: str
    identity: PublisherIdentity | None = None
    findings: tuple[Finding, ...] = ()  # other facts about the release (yanked, install scripts)
    release: ReleaseFacts | None = None
    code: str | None = None
