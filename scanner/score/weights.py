"""The score model as data: factor weights, the points each finding takes, budgets and caps.

Everything that decides a score is in this module, so that the README's "Trust score" section,
``chainwatch score --format json`` and a reviewer read the same numbers. Changing a number here
changes every score; the history keeps what earlier numbers said.

1. Each factor starts at 100. Every piece of evidence takes the points of its rule from the
   factor it belongs to (severity-based when the rule gives no fixed points).
2. Points per code are limited by the rule's budget: when many packages carry the same finding
   (e.g. thirty packages without attestations), they share the budget in proportion, so every
   one is still named and the points still add up to what the factor lost.
3. A factor that could not be assessed (nothing checked, no audit, not enough runtime data) is
   marked unchecked and is held at ``UNCHECKED_VALUE`` at most: never full marks by silence.
4. The score is the weighted mean of the factor values, then the lowest applicable cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.checks.codes import Code
from scanner.models import Severity
from scanner.score.model import FactorName

F = FactorName

# Weights of the factors in the mean; they add up to 1.
WEIGHTS: dict[FactorName, float] = {
    F.PROVENANCE: 0.20,
    F.INTEGRITY: 0.20,
    F.VULNERABILITIES: 0.20,
    F.RISK_SIGNALS: 0.15,
    F.TOOL_SURFACE: 0.10,
    F.BEHAVIOR: 0.15,
}

# The most an unassessed factor can be worth: unknown is half trusted, never trusted.
UNCHECKED_VALUE = 50.0

# Tool-surface findings the stdio proxy recorded count this many days (it reports a rug pull
# again at every session until the new definition is accepted).
PROXY_FINDINGS_DAYS = 7.0

# Points by severity, for rules that give none of their own (and for vulnerabilities, whose
# severity is the advisory's own).
SEVERITY_POINTS: dict[Severity, float] = {
    Severity.CRITICAL: 60.0,
    Severity.HIGH: 35.0,
    Severity.MEDIUM: 15.0,
    Severity.LOW: 5.0,
    Severity.INFO: 0.0,
}

# Score codes (CW610-CW619, scanner/checks/codes.py): what the score itself produces.
SCORE_BELOW_MINIMUM = Code.SCORE_BELOW_MINIMUM.value  # `check --min-score`: below the minimum
SCORE_UNAVAILABLE = Code.SCORE_UNAVAILABLE.value  # no score could be computed (fails closed)
NOT_ASSESSED = Code.SCORE_NOT_ASSESSED.value  # a factor held at UNCHECKED_VALUE, and why
BEHAVIOR_SHIFT = Code.SCORE_BEHAVIOR_SHIFT.value  # a shift attributed to a change event
BEHAVIOR_ALARM = Code.SCORE_BEHAVIOR_ALARM.value  # a continuous alarm tied to no change event
PACT_VIOLATION = Code.SCORE_PACT_VIOLATION.value  # calls outside the pact or its limits
NOT_CHECKED = Code.SCORE_NOT_CHECKED.value  # a component's part of a factor was not checked


@dataclass(frozen=True, slots=True)
class Rule:
    """What one code takes from one factor: points per piece of evidence, at most ``budget``."""

    factor: FactorName
    points: float | None  # None: by the finding's severity (SEVERITY_POINTS)
    budget: float  # the most all evidence of this code together takes from the factor


def _r(factor: FactorName, points: float | None, budget: float) -> Rule:
    return Rule(factor, points, budget)


# Finding codes -> the factor they count against. A code not listed here and not excluded
# below counts as a risk signal by its severity.
RULES: dict[str, Rule] = {
    # Provenance: who built and published it, and whether that can be shown.
    "CW201": _r(F.PROVENANCE, 45, 100),  # attestation invalid
    "CW202": _r(F.PROVENANCE, 12, 36),  # no attestation
    "CW203": _r(F.PROVENANCE, 60, 100),  # publisher identity changed (and capped)
    "CW204": _r(F.PROVENANCE, 45, 100),  # attestation lost
    "CW205": _r(F.PROVENANCE, 60, 100),  # identity differs from the pin (and capped)
    "CW206": _r(F.PROVENANCE, 45, 100),  # registry signature invalid
    "CW214": _r(F.PROVENANCE, 8, 24),  # registry-signed, no build provenance
    "CW215": _r(F.PROVENANCE, 10, 30),  # attested for the first time: check the identity
    # Integrity: are these the bytes that were vetted.
    "CW200": _r(F.INTEGRITY, 100, 100),  # digest mismatch (and capped)
    "CW300": _r(F.INTEGRITY, 100, 100),  # installed file differs from RECORD (and capped)
    "CW301": _r(F.INTEGRITY, 40, 80),  # installed file missing
    "CW302": _r(F.INTEGRITY, 5, 20),  # installed file not covered by RECORD
    "CW106": _r(F.INTEGRITY, 8, 32),  # lockfile entry without a digest
    "CW107": _r(F.INTEGRITY, 10, 30),  # launched from a git source
    "CW103": _r(F.INTEGRITY, 15, 30),  # local script missing: nothing to hash
    "CW110": _r(F.INTEGRITY, 10, 30),  # local script hashed now, not pinned
    # Vulnerabilities: known advisories against the exact version.
    "CW400": _r(F.VULNERABILITIES, None, 100),  # by the advisory's severity
    "CW401": _r(F.VULNERABILITIES, 100, 100),  # malware (and capped)
    # Tool surfaces: pins (CW410-CW415) and poisoning (CW420-CW424), by severity.
    **{f"CW41{i}": _r(F.TOOL_SURFACE, None, 60) for i in range(6)},
    "CW412": _r(F.TOOL_SURFACE, 60, 100),  # rug pull (and capped)
    **{f"CW42{i}": _r(F.TOOL_SURFACE, None, 80) for i in range(5)},
    # Behaviour: from the runtime analysis (scanner.behavior).
    BEHAVIOR_SHIFT: _r(F.BEHAVIOR, 60, 100),
    BEHAVIOR_ALARM: _r(F.BEHAVIOR, 25, 50),
    PACT_VIOLATION: _r(F.BEHAVIOR, 25, 60),
}
RISK_BUDGET = 45.0  # per risk-signal code, for codes without a rule of their own

# Not facts about the supply chain: what could not be checked (scored as unchecked instead),
# judgements of a policy (they depend on the policy file, not the package), and the score's own.
EXCLUDED: frozenset[str] = frozenset(
    {
        "CW207",  # fetch failed: the component counts as not checked
        "CW212",  # unresolved: the component counts as not checked
        "CW402",  # audit incomplete: vulnerabilities not checked
        *(f"CW50{i}" for i in range(10)),  # policy verdicts
        *(f"CW6{i:02d}" for i in range(20)),  # behaviour and score: read as values, not findings
    }
)

# Points a component takes from a factor when its part of it could not be checked, and the
# most all such components together take.
UNCHECKED_POINTS: dict[FactorName, tuple[float, float]] = {
    F.PROVENANCE: (25, 50),
    F.INTEGRITY: (15, 40),
    F.VULNERABILITIES: (25, 50),
    F.TOOL_SURFACE: (20, 50),
}


@dataclass(frozen=True, slots=True)
class CapRule:
    """A hard ceiling: whatever the mean says, a subject with this fact scores at most ``limit``."""

    limit: int
    what: str


CAPS: dict[str, CapRule] = {
    "CW401": CapRule(10, "malware"),
    "CW200": CapRule(20, "digest mismatch"),
    "CW300": CapRule(20, "installed files differ from their RECORD"),
    "CW203": CapRule(40, "publisher identity changed"),
    "CW205": CapRule(40, "publisher identity differs from its pin"),
    "CW412": CapRule(40, "tool definition changed without a version change (rug pull)"),
    BEHAVIOR_SHIFT: CapRule(50, "behaviour shift attributed to a change"),
}


def rule_for(code: str) -> Rule | None:
    """The rule a finding code scores by, or None when the code is not scored."""
    if code in EXCLUDED:
        return None
    return RULES.get(code) or Rule(F.RISK_SIGNALS, None, RISK_BUDGET)


def model_data() -> dict[str, object]:
    """The whole model as plain data (``chainwatch score --format json`` carries it)."""
    return {
        "weights": {f.value: w for f, w in WEIGHTS.items()},
        "unchecked_value": UNCHECKED_VALUE,
        "proxy_findings_days": PROXY_FINDINGS_DAYS,
        "severity_points": {s.value: p for s, p in SEVERITY_POINTS.items()},
        "rules": {
            code: {"factor": r.factor.value, "points": r.points, "budget": r.budget}
            for code, r in sorted(RULES.items())
        },
        "risk_signal_budget": RISK_BUDGET,
        "unchecked_points": {
            f.value: {"points": p, "budget": b} for f, (p, b) in UNCHECKED_POINTS.items()
        },
        "caps": {code: {"limit": c.limit, "what": c.what} for code, c in sorted(CAPS.items())},
        "excluded": sorted(EXCLUDED),
    }
