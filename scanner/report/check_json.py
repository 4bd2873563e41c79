"""The JSON document of ``chainwatch check`` (schema ``chainwatch.report/1``).

Its JSON Schema ships with the package (``scanner/report/schema/report-v1.json``); a test validates
real output against it. The document names the chainwatch version, the moment of the check, and
for each component the agents and servers that use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from scanner.report._jsonable import to_jsonable
from scanner.report._jsonwrite import Rows
from scanner.report._uses import chainwatch_version, uses

if TYPE_CHECKING:
    from scanner.models import Finding
    from scanner.scan import ScanResult

SCHEMA_ID = "chainwatch.report/1"
SCHEMA_FILE = "report-v1.json"


def schema_text() -> str:
    """The published JSON Schema of the check document."""
    return (resources.files("scanner.report") / "schema" / SCHEMA_FILE).read_text("utf-8")


def check_document(result: ScanResult) -> dict[str, Any]:
    """The check as a JSON document (``result.check`` must be set).

    Its components and findings are ``Rows`` (``_jsonwrite.plain`` makes them lists of dicts).
    """
    check = result.check
    assert check is not None, "check_document needs a checked result"
    policy = check.policy
    return {
        "schema": SCHEMA_ID,
        "chainwatch_version": chainwatch_version(),
        "generated_at": check.at.isoformat(timespec="seconds"),
        "exit_code": check.exit_code,
        "audit_complete": check.audit_complete,
        "policy": {
            "source": policy.source,
            "fail_on": policy.fail_on.value if policy.fail_on is not None else "never",
            "require_attestation": sorted(policy.require_attestation),
            "trusted_publishers": dict(policy.trusted_publishers),
            "max_release_age_days": policy.max_release_age_days,
            "allow": sorted(policy.allow),
            "deny": sorted(policy.deny),
        },
        "summary": result.status_counts(),
        "components": _components(result),
        "findings": _findings(result.findings),
        "ignored": [
            {
                "code": f.code,
                "subject": f.subject,
                "reason": ign.reason,
                "expires": ign.expires.isoformat(),
            }
            for f, ign in check.outcome.ignored
        ],
        "expired_ignores": [
            {
                "code": ign.code,
                "package": ign.package,
                "reason": ign.reason,
                "expires": ign.expires.isoformat(),
            }
            for ign in check.outcome.expired
        ],
        "gate": {
            "trips": to_jsonable(list(check.gate.trips)),
            "not_checked": to_jsonable(list(check.gate.not_checked)),
            "lines": check.lines(),
        },
    }


_COMPONENT_KEYS = (
    "purl",
    "resolved_purl",
    "ecosystem",
    "name",
    "version",
    "status",
    "reason",
    "publisher",
    "used_by",
    "locations",
)
_FINDING_KEYS = ("agent", "code", "severity", "subject", "message", "evidence")


def _components(result: ScanResult) -> Rows:
    # Column by column: a check of thousands of components writes them without building (and
    # the writer then taking apart) a dict per component.
    purls = list(result.verdicts)
    verdicts = list(result.verdicts.values())
    components = [v.component for v in verdicts]
    users, locations = uses(result)
    return Rows(
        _COMPONENT_KEYS,
        (
            purls,
            [c.purl for c in components],
            [c.ecosystem for c in components],
            [c.name for c in components],
            [c.version for c in components],
            [v.status._value_ for v in verdicts],  # not .value: a descriptor call each
            [v.reason for v in verdicts],
            [v.identity.describe() if v.identity is not None else None for v in verdicts],
            [[{"agent": a, "server": s} for a, s in users.get(p, ())] for p in purls],
            [[{"path": s.path, "line": s.line} for s in locations.get(p, ())] for p in purls],
        ),
    )


def _findings(findings: Sequence[tuple[str | None, Finding]]) -> Rows:
    fs = [f for _, f in findings]
    return Rows(
        _FINDING_KEYS,
        (
            [agent for agent, _ in findings],
            [f.code for f in fs],
            [f.severity._value_ for f in fs],
            [f.subject for f in fs],
            [f.message for f in fs],
            [dict(f.evidence) for f in fs],
        ),
    )
