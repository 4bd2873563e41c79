"""Values the score tests build: components, agents and behaviour verdicts, as real types."""

from __future__ import annotations

from scanner.behavior.model import (
    AgentBehavior,
    Attribution,
    ChangeRef,
    Fingerprint,
    Maturity,
    PactViolation,
    Shift,
    Verdict,
)
from scanner.checks.codes import Code, finding
from scanner.models import Finding, Severity
from scanner.score.facts import AgentFacts, ComponentFacts

AT = "2026-11-30T12:00:00+00:00"
FS_KEY = "pkg:npm/%40modelcontextprotocol/server-filesystem"


def component(
    name: str = "mcp-server-time",
    version: str = "2026.10.19",
    *,
    status: str = "verified",
    findings: tuple[Finding, ...] = (),
    server: bool = True,
    tools: tuple[Finding, ...] | None = (),
    key: str | None = None,
) -> ComponentFacts:
    """A component of the latest scan (tool surface pinned and clean unless said otherwise)."""
    key = key or f"pkg:pypi/{name}"
    return ComponentFacts(
        purl=f"{key}@{version}",
        key=key,
        name=name,
        ecosystem=key.split(":", 1)[1].split("/", 1)[0],
        version=version,
        status=status,
        reason=f"{status} (test)",
        findings=findings,
        server=server,
        tool_findings=tools if server else None,
    )


def fingerprint(agent: str, mature: bool = True) -> Fingerprint:
    """A fingerprint: mature, or short of data."""
    return Fingerprint(
        agent=agent,
        start="2026-11-20T00:00:00+00:00",
        end=AT,
        calls=2000 if mature else 40,
        days=10.0 if mature else 0.5,
        maturity=Maturity.MATURE if mature else Maturity.NOT_ENOUGH_DATA,
        maturity_reason="2000 calls over 10 days" if mature else "40 calls over 0.5 days",
        mix=(("read", 0.98), ("write", 0.02)),
        tool_rates=(("read_file", 8.0),),
        risky_per_call=0.02,
        risky_per_hour=0.2,
        error_rate=0.01,
        external_follow_share=0.0,
    )


def upgrade(agent: str = "bot", key: str = FS_KEY) -> ChangeRef:
    """The demo's upgrade: server-filesystem 2026.8.31 -> 2026.11.28, seen by the hook."""
    return ChangeRef(agent, key, "upgrade", "2026.8.31", "2026.11.28", AT, "hook")


def shift_after(change: ChangeRef, verdict: Verdict = Verdict.SHIFT) -> Attribution:
    """The test at a change event: a write-rate shift followed it (or the verdict given)."""
    shift = Shift(
        agent=change.agent,
        feature="rate:write",
        detector="binomial",
        at=change.at,
        before=0.002,
        after=0.21,
        p_value=1e-12,
        q_value=1e-10,
        rate_ratio=105.0,
        ci_low=40.0,
        ci_high=300.0,
        peers_shifted=False,
        evidence="write 0.2% -> 21% (RR 105, 95% CI 40-300)",
    )
    shifts = (shift,) if verdict is Verdict.SHIFT else ()
    evidence = f"{shift.evidence} after {change.label()}; peers flat"
    return Attribution(change, verdict, shifts, evidence if shifts else "no shift")


def behavior(
    agent: str = "bot",
    *,
    mature: bool = True,
    attributions: tuple[Attribution, ...] = (),
    alarms: tuple[Shift, ...] = (),
    pact: tuple[PactViolation, ...] = (),
) -> AgentBehavior:
    """An agent's behaviour verdicts as of AT."""
    return AgentBehavior(agent, AT, fingerprint(agent, mature), attributions, alarms, pact)


def pact_violation(agent: str = "bot") -> PactViolation:
    """Writes by an agent whose pact allows reads only."""
    return PactViolation(
        agent, "write", 40, AT, AT, None, None, "40 write calls; the pact allows read, network"
    )


def agent(
    *components: ComponentFacts,
    name: str = "bot",
    audited: bool = True,
    behavior_: AgentBehavior | None = None,
    findings: tuple[Finding, ...] = (),
) -> AgentFacts:
    """An agent's facts as of AT."""
    return AgentFacts(name, 1, AT, audited, components, findings, behavior_)


def no_attestation(c: str) -> Finding:
    """CW202 on a purl."""
    return finding(Code.NO_ATTESTATION, c, f"{c}: no provenance")


def vulnerability(c: str, severity: Severity = Severity.HIGH) -> Finding:
    """CW400 with the advisory's severity."""
    return finding(Code.VULNERABILITY, c, f"{c}: CVE-2026-1 affects it", severity=severity)
