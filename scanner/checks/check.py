"""``chainwatch check``'s decision: policy over a run's findings, then the gate, then the exit code.

Exit codes of ``check`` (the CI gate): 0 clean; 1 policy violation; 2 usage or input error (an
input could not be read); 3 could not complete (an advisory source did not answer, so the audit
is incomplete). A violation wins over an incomplete audit: both fail, and 1 names real problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.checks.codes import Code
from scanner.checks.gate import GateDecision, GatePolicy, decide
from scanner.checks.policy import Policy, PolicyOutcome, apply_policy
from scanner.models import Finding
from scanner.verdict import Verdict

CHECK_OK, CHECK_VIOLATION, CHECK_INPUT, CHECK_INCOMPLETE = 0, 1, 2, 3
_AUDIT_INCOMPLETE = "audit incomplete"


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What ``check`` decided: the policy applied, the gate's verdict, when, and the exit code."""

    policy: Policy
    outcome: PolicyOutcome
    gate: GateDecision
    at: dt.datetime

    @property
    def audit_complete(self) -> bool:
        """False when any component's audit could not complete (and was not ignored)."""
        return not any(f.code == Code.AUDIT_INCOMPLETE for _, f in self.outcome.findings)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 violation, 2 input error, 3 could not complete."""
        violations = [t for t in self.gate.trips if t.detail != _AUDIT_INCOMPLETE]
        if violations:
            return CHECK_VIOLATION
        if self.gate.trips or not self.audit_complete:
            return CHECK_INCOMPLETE
        return CHECK_INPUT if self.gate.unreadable_inputs else CHECK_OK

    def lines(self) -> list[str]:
        """The last lines of a check: ignores, expired ignores, the gate, the exit code."""
        out = [f"policy: {self.policy.source}"]
        out += [f"  ignored {f.code} on {f.subject}: {i.reason}" for f, i in self.outcome.ignored]
        out += [
            f"  EXPIRED ignore of {i.describe()} (expired {i.expires.isoformat()}): counts again"
            for i in self.outcome.expired
        ]
        if not self.audit_complete:
            out.append("audit INCOMPLETE: an advisory source did not answer; not known clean")
        out += [line for line in self.gate.lines() if not line.startswith("gate:")]
        state = "pass" if self.exit_code == CHECK_OK else "FAIL"
        out.append(f"check: {state} (exit {self.exit_code})")
        return out


def judge(
    verdicts: Sequence[Verdict],
    findings: Iterable[tuple[str | None, Finding]],
    policy: Policy,
    now: dt.datetime,
    *,
    unreadable_inputs: int = 0,
) -> CheckOutcome:
    """Apply the policy (ignores judged at ``now``), then the gate with the policy's threshold."""
    outcome = apply_policy(verdicts, findings, policy, now.date(), now)
    gate = decide(
        verdicts,
        outcome.findings,
        GatePolicy(fail_on=policy.fail_on, allow=policy.allow),
        unreadable_inputs=unreadable_inputs,
    )
    return CheckOutcome(policy, outcome, gate, now)
