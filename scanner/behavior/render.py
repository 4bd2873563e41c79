"""Behaviour for people and programs: text lines (for the table format) and a JSON document."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from scanner.behavior.evidence import pct
from scanner.behavior.model import AgentBehavior, FleetBehavior, Maturity, Verdict


def _finite(value: Any) -> Any:
    """JSON has no infinity: an unbounded ratio or bound is null (its detector says why)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def fleet_json(fleet: FleetBehavior) -> dict[str, Any]:
    """The whole analysis as JSON-ready values (enums as their strings, inf as null)."""
    doc: dict[str, Any] = _finite(asdict(fleet))
    return doc


def agent_lines(agent: AgentBehavior, *, verbose: bool = False) -> Iterator[str]:
    """The lines ``chainwatch behavior`` prints for one agent (the caller cleans them)."""
    fp = agent.fingerprint
    state = "mature" if fp.maturity is Maturity.MATURE else "NOT ENOUGH DATA YET"
    yield f"{agent.agent}: {state} ({fp.maturity_reason})"
    if fp.calls:
        mix = ", ".join(f"{c} {pct(s)}" for c, s in sorted(fp.mix, key=lambda m: -m[1]))
        yield f"  mix (decayed): {mix}"
        yield (
            f"  risky {pct(fp.risky_per_call)} of calls, {fp.risky_per_hour:.2f}/h; "
            f"errors {pct(fp.error_rate)}; after external input {pct(fp.external_follow_share)}"
        )
    if fp.first_seen_tools:
        yield "  new tools: " + ", ".join(f"{t} (since {at})" for t, at in fp.first_seen_tools)
    if fp.first_seen_hosts:
        yield "  new servers: " + ", ".join(f"{h} (since {at})" for h, at in fp.first_seen_hosts)
    for att in agent.attributions:
        if att.verdict is Verdict.NO_SHIFT and not verbose:
            continue
        yield f"  {att.verdict.value.upper():<15} {att.change.at}  {att.evidence}"
    quiet = sum(a.verdict is Verdict.NO_SHIFT for a in agent.attributions)
    if quiet and not verbose:
        yield f"  {quiet} change(s) with no shift after them (-v lists them)"
    for alarm in agent.alarms:
        yield f"  {'ALARM':<15} {alarm.at}  {alarm.evidence}"
    if not agent.pact_source:
        yield "  pact: none declared (no pact checks)"
    for v in agent.pact_violations:
        yield f"  {'PACT':<15} {v.first_at}  {v.message}"
