"""Stable finding codes. A code never changes meaning; retired codes are not reused."""

from __future__ import annotations

from enum import StrEnum

from scanner.models import Finding, Severity


class Code(StrEnum):
    """Finding codes, grouped: CW1xx inventory, CW2xx verification, CW3xx installed files,
    CW4xx advisories (CW400-CW402) and tool surfaces (CW410-CW415 pins, CW420-CW424
    poisoning), CW5xx policy, CW600-CW604 behaviour, CW61x the trust score."""

    FLOATING_LAUNCH = "CW100"  # launch command without an exact version
    LATEST_TAG = "CW101"  # @latest / :latest
    IMAGE_WITHOUT_DIGEST = "CW102"  # container image by tag, not digest
    LOCAL_SCRIPT_MISSING = "CW103"  # local script not found, no hash possible
    PLAIN_HTTP_REMOTE = "CW104"  # remote server over http:// to a non-loopback host
    UNPINNED_REQUIREMENT = "CW105"  # manifest requirement without an exact version
    NO_LOCKED_DIGEST = "CW106"  # lockfile entry without a digest
    GIT_SOURCE = "CW107"  # launched from a git source
    PIN_VIOLATION = "CW108"  # version differs from the agent manifest's pin
    DIGEST_MISMATCH = "CW200"
    ATTESTATION_INVALID = "CW201"
    NO_ATTESTATION = "CW202"
    PUBLISHER_CHANGED = "CW203"
    ATTESTATION_LOST = "CW204"
    IDENTITY_PIN_MISMATCH = "CW205"
    REGISTRY_SIGNATURE_INVALID = "CW206"
    FETCH_FAILED = "CW207"
    YANKED = "CW208"
    DEPRECATED = "CW209"
    INSTALL_SCRIPTS = "CW210"
    PROJECT_STATUS = "CW211"  # PEP 792 archived / quarantined / deprecated
    UNRESOLVED = "CW212"  # not checked: no registry client, not on the registry, unidentified
    DEPENDENCY_CONFUSION = "CW213"  # a name served by more than one configured index
    NO_PROVENANCE = "CW214"  # npm: registry-signed publish attestation, no build provenance
    IDENTITY_FIRST_ATTESTED = "CW215"  # seen unattested before, now attested by an identity
    RECORD_MISMATCH = "CW300"  # installed file differs from its RECORD
    RECORD_MISSING_FILE = "CW301"
    RECORD_UNHASHED = "CW302"  # installed file not covered by RECORD
    VULNERABILITY = "CW400"  # a known vulnerability affects this exact version
    MALWARE = "CW401"  # an OpenSSF malicious-packages (MAL-) record names this version
    AUDIT_INCOMPLETE = "CW402"  # an advisory source could not answer: not known to be clean
    # Tool surfaces: pins (CW410-CW415) and poisoning (CW420-CW424).
    TOOL_ADDED = "CW410"  # a tool the pinned surface did not have
    TOOL_REMOVED = "CW411"
    TOOL_RUG_PULL = "CW412"  # definition changed, version unchanged
    TOOL_CHANGED = "CW413"  # definition changed with the version: review
    TOOL_ANNOTATION_RISK = "CW414"  # a hint flipped toward more risk
    TOOL_NORMALIZATION = "CW415"  # only a Unicode NFC difference
    TOOL_HIDDEN_UNICODE = "CW420"
    TOOL_INSTRUCTION = "CW421"  # instruction-like text aimed at the model
    TOOL_SHADOWING = "CW422"  # instructs about other servers' tools
    TOOL_SECRET_PATH = "CW423"
    TOOL_EXFIL_PARAMETER = "CW424"
    DENIED = "CW500"  # on the policy's deny list
    ATTESTATION_REQUIRED = "CW501"  # the policy requires a verified attestation; not verified
    UNTRUSTED_PUBLISHER = "CW502"  # published by someone the policy does not trust
    RELEASE_TOO_OLD = "CW503"  # older than the policy's max_release_age_days
    IGNORE_EXPIRED = "CW504"  # a policy ignore past its expiry date: it ignores no more
    BASELINE_CHANGE = "CW505"  # changed since the agent's accepted baseline (check's diff)
    # Risk signals added later, numbered in their groups (CW1xx inventory, CW2xx registry).
    TYPOSQUAT = "CW109"  # name one slip from a popular or known MCP package name
    LOCAL_SCRIPT_UNPINNED = "CW110"  # local script hashed at scan time, no pinned hash
    RECENT_RELEASE = "CW216"  # release younger than the minimum release age
    # Behaviour (scanner/behavior): runtime events against the agent's own past and its pact.
    BEHAVIOR_SHIFT = "CW600"  # behaviour shifted after a change event, beyond its peers
    BEHAVIOR_ALARM = "CW601"  # a shift the continuous alarm found with no change event near it
    PACT_CLASS = "CW602"  # calls of an action class the agent's pact does not allow
    PACT_LIMIT = "CW603"  # calls above the pact's per-hour limit for their class
    BEHAVIOR_IMMATURE = "CW604"  # not enough runtime data yet to judge behaviour
    # The trust score (scanner/score): the gate's findings and the codes deductions carry.
    SCORE_BELOW_MINIMUM = "CW610"  # `check --min-score N`: an agent scores below N
    SCORE_UNAVAILABLE = "CW611"  # a score could not be computed: the gate fails closed
    SCORE_NOT_ASSESSED = "CW612"  # a factor could not be assessed: held at half marks
    SCORE_BEHAVIOR_SHIFT = "CW613"  # a behaviour shift attributed to a change event
    SCORE_BEHAVIOR_ALARM = "CW614"  # a continuous behaviour alarm tied to no change event
    SCORE_PACT_VIOLATION = "CW615"  # runtime calls outside the agent's pact or its limits
    SCORE_NOT_CHECKED = "CW616"  # a component's part of a factor could not be checked


DEFAULT_SEVERITY: dict[Code, Severity] = {
    Code.FLOATING_LAUNCH: Severity.MEDIUM,
    Code.LATEST_TAG: Severity.MEDIUM,
    Code.IMAGE_WITHOUT_DIGEST: Severity.MEDIUM,
    Code.LOCAL_SCRIPT_MISSING: Severity.LOW,
    Code.PLAIN_HTTP_REMOTE: Severity.MEDIUM,
    Code.UNPINNED_REQUIREMENT: Severity.LOW,
    Code.NO_LOCKED_DIGEST: Severity.LOW,
    Code.GIT_SOURCE: Severity.LOW,
    Code.PIN_VIOLATION: Severity.HIGH,
    Code.DIGEST_MISMATCH: Severity.CRITICAL,
    Code.ATTESTATION_INVALID: Severity.HIGH,
    Code.NO_ATTESTATION: Severity.LOW,
    Code.PUBLISHER_CHANGED: Severity.HIGH,
    Code.ATTESTATION_LOST: Severity.HIGH,
    Code.IDENTITY_PIN_MISMATCH: Severity.HIGH,
    Code.REGISTRY_SIGNATURE_INVALID: Severity.HIGH,
    Code.FETCH_FAILED: Severity.MEDIUM,
    Code.YANKED: Severity.MEDIUM,
    Code.DEPRECATED: Severity.LOW,
    Code.INSTALL_SCRIPTS: Severity.LOW,
    Code.PROJECT_STATUS: Severity.MEDIUM,
    Code.UNRESOLVED: Severity.MEDIUM,
    Code.DEPENDENCY_CONFUSION: Severity.HIGH,
    Code.NO_PROVENANCE: Severity.LOW,
    Code.IDENTITY_FIRST_ATTESTED: Severity.MEDIUM,
    Code.RECORD_MISMATCH: Severity.CRITICAL,
    Code.RECORD_MISSING_FILE: Severity.HIGH,
    Code.RECORD_UNHASHED: Severity.LOW,
    Code.VULNERABILITY: Severity.HIGH,  # replaced by the advisory's own severity
    Code.MALWARE: Severity.CRITICAL,
    Code.AUDIT_INCOMPLETE: Severity.HIGH,  # fails the default gate: no "clean" from nothing
    Code.TOOL_ADDED: Severity.MEDIUM,  # LOW when the version changed too
    Code.TOOL_REMOVED: Severity.LOW,  # INFO when the version changed too
    Code.TOOL_RUG_PULL: Severity.HIGH,
    Code.TOOL_CHANGED: Severity.MEDIUM,
    Code.TOOL_ANNOTATION_RISK: Severity.HIGH,  # MEDIUM when the version changed too
    Code.TOOL_NORMALIZATION: Severity.LOW,
    Code.TOOL_HIDDEN_UNICODE: Severity.HIGH,
    Code.TOOL_INSTRUCTION: Severity.HIGH,
    Code.TOOL_SHADOWING: Severity.HIGH,
    Code.TOOL_SECRET_PATH: Severity.HIGH,
    Code.TOOL_EXFIL_PARAMETER: Severity.MEDIUM,
    Code.DENIED: Severity.CRITICAL,
    Code.ATTESTATION_REQUIRED: Severity.HIGH,
    Code.UNTRUSTED_PUBLISHER: Severity.HIGH,
    Code.RELEASE_TOO_OLD: Severity.MEDIUM,
    Code.IGNORE_EXPIRED: Severity.HIGH,  # says so loudly; its finding counts again anyway
    Code.BASELINE_CHANGE: Severity.MEDIUM,  # replaced by the change's own severity
    Code.TYPOSQUAT: Severity.MEDIUM,  # HIGH for homoglyph look-alikes
    Code.LOCAL_SCRIPT_UNPINNED: Severity.LOW,
    Code.RECENT_RELEASE: Severity.MEDIUM,
    Code.BEHAVIOR_SHIFT: Severity.HIGH,
    Code.BEHAVIOR_ALARM: Severity.MEDIUM,
    Code.PACT_CLASS: Severity.HIGH,
    Code.PACT_LIMIT: Severity.MEDIUM,
    Code.BEHAVIOR_IMMATURE: Severity.INFO,
    Code.SCORE_BELOW_MINIMUM: Severity.HIGH,
    Code.SCORE_UNAVAILABLE: Severity.HIGH,  # fail closed
    Code.SCORE_NOT_ASSESSED: Severity.INFO,
    Code.SCORE_BEHAVIOR_SHIFT: Severity.HIGH,
    Code.SCORE_BEHAVIOR_ALARM: Severity.MEDIUM,
    Code.SCORE_PACT_VIOLATION: Severity.HIGH,
    Code.SCORE_NOT_CHECKED: Severity.INFO,
}


def finding(
    code: Code,
    subject: str,
    message: str,
    *,
    severity: Severity | None = None,
    **evidence: object,
) -> Finding:
    """Build a Finding with the code's default severity and string evidence."""
    return Finding(
        code=code.value,
        severity=severity or DEFAULT_SEVERITY[code],
        subject=subject,
        message=message,
        evidence=tuple((k, str(v)) for k, v in evidence.items() if v is not None),
    )
