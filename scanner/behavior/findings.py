"""Behaviour as findings (CW600-CW604), per agent, with the evidence in words and numbers."""

from __future__ import annotations

from scanner.behavior.model import AgentBehavior, FleetBehavior, Maturity, Verdict
from scanner.checks.codes import Code, finding
from scanner.models import Finding


def agent_findings(agent: AgentBehavior) -> list[Finding]:
    """The findings behaviour analysis makes of one agent."""
    out: list[Finding] = []
    fp = agent.fingerprint
    if fp.maturity is Maturity.NOT_ENOUGH_DATA:
        out.append(finding(Code.BEHAVIOR_IMMATURE, agent.agent,
                           f"not enough runtime data yet to judge behaviour: {fp.maturity_reason}",
                           calls=fp.calls, days=fp.days))  # fmt: skip
    for att in agent.attributions:
        if att.verdict is Verdict.SHIFT:
            top = att.shifts[0]
            out.append(finding(
                Code.BEHAVIOR_SHIFT, att.change.component, att.evidence,
                agent=agent.agent, change=att.change.label(), changed_at=att.change.at,
                cause=att.change.cause, feature=top.feature, p_value=f"{top.p_value:.3g}",
                q_value=f"{top.q_value:.3g}" if top.q_value is not None else None,
                rate_ratio=f"{top.rate_ratio:.3g}" if top.rate_ratio is not None else None,
            ))  # fmt: skip
    out.extend(
        finding(
            Code.BEHAVIOR_ALARM,
            agent.agent,
            a.evidence,
            since=a.at,
            feature=a.feature,
            q_value=a.q_value,
        )  # fmt: skip
        for a in agent.alarms
    )
    for v in agent.pact_violations:
        code = Code.PACT_CLASS if v.limit_per_hour is None else Code.PACT_LIMIT
        out.append(finding(code, agent.agent, v.message, action_class=v.action_class,
                           calls=v.calls, first_at=v.first_at, last_at=v.last_at,
                           limit_per_hour=v.limit_per_hour,
                           observed_per_hour=v.observed_per_hour))  # fmt: skip
    return out


def fleet_findings(fleet: FleetBehavior) -> list[tuple[str, Finding]]:
    """(agent, finding) for every agent of the fleet."""
    return [(a.agent, f) for a in fleet.agents for f in agent_findings(a)]
