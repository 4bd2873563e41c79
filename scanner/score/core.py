"""The pure score: facts in, a Score out. The numbers are in ``weights.py``.

1. Every finding, every component that could not be checked and every behaviour verdict
   becomes a raw deduction: (factor, code, subject, evidence, points).
2. Deductions of one code share that code's budget (scaled in proportion when they exceed it).
3. Each factor is 100 minus its deductions (all of them share the 100 when they add up to more,
   so the points named always add up to the points lost); an unassessed factor is held at
   ``UNCHECKED_VALUE`` at most, and the points that takes are a CW612 deduction naming why.
4. The score is the weighted mean, limited by the lowest cap a critical fact sets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from scanner.behavior.model import AgentBehavior, ChangeRef, Maturity, Verdict
from scanner.models import Finding
from scanner.score import weights as W
from scanner.score.facts import AgentFacts, ComponentFacts
from scanner.score.model import Cap, Deduction, Factor, FactorName, Score

F = FactorName


@dataclass(frozen=True, slots=True)
class _Raw:
    factor: FactorName
    code: str
    subject: str
    evidence: str
    points: float
    budget: float


def score_component(
    facts: ComponentFacts,
    *,
    as_of: str,
    audited: bool,
    behaviors: Sequence[AgentBehavior] = (),
) -> Score:
    """The trust score of one component (``behaviors``: of the agents that run it)."""
    raws = list(_component_raws(facts, audited=audited))
    raws += _component_behavior(facts, behaviors)
    unassessed = {
        F.PROVENANCE: None if facts.checked else f"{facts.label()} not checked: {facts.reason}",
        F.INTEGRITY: None if facts.checked else f"{facts.label()} not checked: {facts.reason}",
        F.VULNERABILITIES: _vuln_note((facts,), audited),
        F.RISK_SIGNALS: None,
        F.TOOL_SURFACE: _surface_note((facts,)),
        F.BEHAVIOR: _component_behavior_note(behaviors),
    }
    return _score("component", facts.purl, as_of, raws, unassessed)


def score_agent(facts: AgentFacts, *, as_of: str) -> Score:
    """The trust score of one agent: its components, its own findings and its behaviour."""
    raws: list[_Raw] = []
    for c in facts.components:
        raws += _component_raws(c, audited=facts.audited)
    raws += (r for f in facts.findings if (r := _finding_raw(f, f.subject)) is not None)
    raws += _behavior_raws(facts.behavior, facts.agent)
    checked = [c for c in facts.components if c.checked]
    none = "no component of the agent could be checked" if facts.components else "no components"
    if facts.scan_id is None and not facts.components:
        none = "no scan of this agent yet (seen in runtime events only)"
    unassessed = {
        F.PROVENANCE: None if checked else none,
        F.INTEGRITY: None if checked else none,
        F.VULNERABILITIES: _vuln_note(facts.components, facts.audited)
        if facts.components
        else none,
        F.RISK_SIGNALS: None if facts.components else none,
        F.TOOL_SURFACE: _surface_note(facts.components),
        F.BEHAVIOR: _behavior_note(facts.behavior, facts.behavior_note),
    }
    return _score("agent", facts.agent, as_of, raws, unassessed)


def _score(
    kind: str, subject: str, as_of: str, raws: list[_Raw], unassessed: dict[F, str | None]
) -> Score:
    by_factor: dict[F, list[Deduction]] = defaultdict(list)
    for d in _budgeted(raws):
        by_factor[d.factor].append(d)
    factors = []
    for name, weight in W.WEIGHTS.items():
        found = by_factor.get(name, [])
        total = sum(d.points for d in found)
        if total > 100:  # a factor cannot lose more than all: its evidence shares the 100
            found = [replace(d, points=round(d.points * 100 / total, 2)) for d in found]
        value = max(0.0, 100.0 - min(total, 100.0))
        note = unassessed.get(name)
        if note is not None and value > W.UNCHECKED_VALUE:
            held = value - W.UNCHECKED_VALUE
            found.append(Deduction(name, held, W.NOT_ASSESSED, subject, f"not assessed: {note}"))
            value = W.UNCHECKED_VALUE
        found.sort(key=lambda d: (-d.points, d.code, d.subject))
        factors.append(Factor(name, weight, round(value, 2), tuple(found), unchecked=note))
    uncapped = round(sum(f.weight * f.value for f in factors), 2)
    caps = tuple(sorted(set(_caps(raws)), key=lambda c: (c.limit, c.code, c.subject)))
    value = int(uncapped + 0.5)
    if caps:
        value = min(value, caps[0].limit)
    return Score(kind, subject, as_of, value, uncapped, tuple(factors), caps)


def _budgeted(raws: Iterable[_Raw]) -> list[Deduction]:
    """Deductions after each code's budget: shared in proportion when they exceed it."""
    groups: dict[tuple[F, str], list[_Raw]] = defaultdict(list)
    for r in raws:
        if r.points > 0:
            groups[(r.factor, r.code)].append(r)
    out = []
    for group in groups.values():
        total = sum(r.points for r in group)
        budget = min(r.budget for r in group)
        scale = min(1.0, budget / total)
        out += [
            Deduction(r.factor, round(r.points * scale, 2), r.code, r.subject, r.evidence)
            for r in group
        ]
    return out


def _caps(raws: Iterable[_Raw]) -> Iterable[Cap]:
    for r in raws:
        rule = W.CAPS.get(r.code)
        if rule is not None:
            yield Cap(r.code, rule.limit, r.subject, f"{rule.what}: {r.evidence}")


def _finding_raw(f: Finding, subject: str) -> _Raw | None:
    rule = W.rule_for(f.code)
    if rule is None:
        return None
    points = rule.points if rule.points is not None else W.SEVERITY_POINTS[f.severity]
    return _Raw(rule.factor, f.code, subject, f.message, points, rule.budget)


def _unchecked_raw(factor: F, code: str, subject: str, evidence: str) -> _Raw:
    points, budget = W.UNCHECKED_POINTS[factor]
    return _Raw(factor, code, subject, evidence, points, budget)


def _component_raws(c: ComponentFacts, *, audited: bool) -> list[_Raw]:
    label = c.label()
    out = [r for f in c.findings if (r := _finding_raw(f, label)) is not None]
    if not c.checked:
        code = next((f.code for f in c.findings if f.code in {"CW207", "CW212"}), W.NOT_CHECKED)
        why = f"not checked: {c.reason}"
        out += [_unchecked_raw(x, code, label, why) for x in (F.PROVENANCE, F.INTEGRITY)]
    if audited and any(f.code == "CW402" for f in c.findings):
        why = "the advisory audit did not complete"
        out.append(_unchecked_raw(F.VULNERABILITIES, "CW402", label, why))
    if c.server and c.tool_findings is None:
        why = "no tool surface pinned for this version (`chainwatch tools scan`, the proxy)"
        out.append(_unchecked_raw(F.TOOL_SURFACE, W.NOT_CHECKED, label, why))
    out += (r for f in c.tool_findings or () if (r := _finding_raw(f, label)) is not None)
    return out


def _behavior_raws(b: AgentBehavior | None, agent: str, key: str | None = None) -> list[_Raw]:
    """Deductions from behaviour (of one component when ``key`` is given)."""
    if b is None:
        return []
    out = []
    for a in b.attributions:
        if a.verdict is not Verdict.SHIFT or (key is not None and not _names(a.change, key)):
            continue
        evidence = a.evidence or f"behaviour shifted after {a.change.label()}"
        if a.change.label() not in evidence:
            evidence += f" after {a.change.label()}"
        rule = W.RULES[W.BEHAVIOR_SHIFT]
        points = rule.points or 0.0
        out.append(_Raw(F.BEHAVIOR, W.BEHAVIOR_SHIFT, agent, evidence, points, rule.budget))
    if key is not None:
        return out
    for s in b.alarms:
        rule = W.RULES[W.BEHAVIOR_ALARM]
        evidence = s.evidence or f"{s.feature} {s.before:.3g} -> {s.after:.3g} ({s.detector})"
        out.append(
            _Raw(F.BEHAVIOR, W.BEHAVIOR_ALARM, agent, evidence, rule.points or 0.0, rule.budget)
        )
    for p in b.pact_violations:
        rule = W.RULES[W.PACT_VIOLATION]
        out.append(
            _Raw(F.BEHAVIOR, W.PACT_VIOLATION, agent, p.message, rule.points or 0.0, rule.budget)
        )
    return out


def _names(change: ChangeRef, key: str) -> bool:
    """True when ``change`` is a change of the component ``key`` (a purl without version)."""
    return change.component.split("@", 1)[0] == key


def _component_behavior(c: ComponentFacts, behaviors: Sequence[AgentBehavior]) -> list[_Raw]:
    return [r for b in behaviors for r in _behavior_raws(b, b.agent, key=c.key)]


def _vuln_note(components: Sequence[ComponentFacts], audited: bool) -> str | None:
    if not audited:
        return "the latest scan did not audit for advisories (`scan --audit`, `check`)"
    if components and all(any(f.code == "CW402" for f in c.findings) for c in components):
        return "no advisory audit completed"
    return None if components else "no components"


def _surface_note(components: Sequence[ComponentFacts]) -> str | None:
    servers = [c for c in components if c.server]
    if not servers:
        return "no MCP server component: no tool surface to check"
    if all(c.tool_findings is None for c in servers):
        return "no tool surface pinned for any server (`chainwatch tools scan`, the proxy)"
    return None


def _behavior_note(b: AgentBehavior | None, missing: str) -> str | None:
    if b is None:
        return missing
    if b.fingerprint.maturity is Maturity.NOT_ENOUGH_DATA:
        return f"not enough data yet: {b.fingerprint.maturity_reason}"
    return None


def _component_behavior_note(behaviors: Sequence[AgentBehavior]) -> str | None:
    if any(b.fingerprint.maturity is Maturity.MATURE for b in behaviors):
        return None
    if behaviors:
        return "not enough runtime data yet from the agents that run it"
    return "no runtime events from the agents that run it"
