"""The JSON document of ``chainwatch check`` (schema ``chainwatch.report/1``).

Its JSON Schema ships with the package (``scanner/report/schema/report-v1.json``); a test validates
real output against it. The document names the chainwatch version, the moment of the check, and
for each component the agents and servers that use it.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from scanner.report._jsonable import finding_document, to_jsonable
from scanner.report._results import chainwatch_version, places

if TYPE_CHECKING:
    from scanner.scan import ScanResult

SCHEMA_ID = "chainwatch.report/1"
SCHEMA_FILE = "report-v1.json"


def schema_text() -> str:
    """The published JSON Schema of the check document."""
    return (resources.files("scanner.report") / "schema" / SCHEMA_FILE).read_text("utf-8")


def check_document(result: ScanResult) -> dict[str, Any]:
    """The check as a JSON document (``result.check`` must be set)."""
    check = result.check
    assert check is not None, "check_document needs a checked result"
    table = places(result)
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
        "components": [
            {
                "purl": purl,
                "resolved_purl": v.component.purl,
                "ecosystem": v.component.ecosystem,
                "name": v.component.name,
                "version": v.component.version,
                "status": v.status.value,
                "reason": v.reason,
                "publisher": v.identity.describe() if v.identity is not None else None,
                "used_by": [{"agent": u.agent, "server": u.server} for u in table[purl].users],
                "locations": [
                    {"path": loc.path, "line": loc.line} for loc in table[purl].locations
                ],
            }
            for purl, v in result.verdicts.items()
        ],
        "findings": [{"agent": agent, **finding_document(f)} for agent, f in result.findings],
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
