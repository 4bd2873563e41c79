"""The pure score over values: factors, budgets, unassessed factors, caps, evidence."""

from __future__ import annotations

import pytest

from scanner.behavior.model import Verdict
from scanner.checks.codes import Code, finding
from scanner.models import Severity
from scanner.score import weights as W
from scanner.score.core import score_agent, score_component
from scanner.score.model import FactorName, Score

from ._values import (
    AT,
    FS_KEY,
    agent,
    behavior,
    component,
    no_attestation,
    pact_violation,
    shift_after,
    upgrade,
    vulnerability,
)


def _factor(score: Score, name: FactorName):
    return next(f for f in score.factors if f.name is name)


def _accounts_for_every_point(score: Score) -> None:
    """Every factor lost exactly the points its deductions name, each with evidence."""
    for f in score.factors:
        assert sum(d.points for d in f.deductions) == pytest.approx(100 - f.value, abs=0.05)
        assert all(d.evidence and d.code and d.subject for d in f.deductions)


def test_a_clean_fully_assessed_agent_scores_100():
    s = score_agent(agent(component(), behavior_=behavior()), as_of=AT)
    assert s.value == 100 and s.uncapped == 100 and s.caps == () and s.lost() == ()
    assert all(f.unchecked is None for f in s.factors)
    assert sum(f.weight for f in s.factors) == pytest.approx(1.0)


def test_weights_are_the_documented_model():
    assert {f.value for f in W.WEIGHTS} == {f.value for f in FactorName}
    model = W.model_data()
    assert model["caps"]["CW401"]["limit"] == 10 and model["unchecked_value"] == 50


@pytest.mark.parametrize(
    ("facts", "factor", "why"),
    [
        (agent(component(), audited=False, behavior_=behavior()), "vulnerabilities", "audit"),
        (agent(component()), "behavior", "no runtime events"),
        (agent(component(), behavior_=behavior(mature=False)), "behavior", "40 calls"),
        (agent(component(tools=None), behavior_=behavior()), "tool_surface", "pinned"),
        (agent(component(status="fetch-failed"), behavior_=behavior()), "provenance", "checked"),
    ],
)
def test_what_could_not_be_assessed_never_gets_full_marks(facts, factor, why):
    s = score_agent(facts, as_of=AT)
    f = _factor(s, FactorName(factor))
    assert f.unchecked is not None and why in f.unchecked
    assert f.value <= W.UNCHECKED_VALUE
    assert s.value < 100
    _accounts_for_every_point(s)


def test_many_packages_share_one_budget_and_each_is_named():
    parts = [component(f"p{i}", findings=(no_attestation(f"pkg:pypi/p{i}@1"),)) for i in range(9)]
    s = score_agent(agent(*parts, behavior_=behavior()), as_of=AT)
    provenance = _factor(s, FactorName.PROVENANCE)
    budget = W.RULES["CW202"].budget
    assert provenance.value == pytest.approx(100 - budget)
    assert sorted(d.subject for d in provenance.deductions) == [
        f"p{i}@2026.10.19" for i in range(9)
    ]
    assert len({d.points for d in provenance.deductions}) == 1
    _accounts_for_every_point(s)


def test_a_vulnerability_takes_points_by_the_advisorys_severity():
    def lost(sev: Severity) -> float:
        c = component(findings=(vulnerability("pkg:pypi/mcp-server-time@2026.10.19", sev),))
        s = score_agent(agent(c, behavior_=behavior()), as_of=AT)
        return 100 - _factor(s, FactorName.VULNERABILITIES).value

    assert (
        lost(Severity.CRITICAL) > lost(Severity.HIGH) > lost(Severity.MEDIUM) > lost(Severity.LOW)
    )


@pytest.mark.parametrize(
    ("code", "limit"),
    [(Code.MALWARE, 10), (Code.DIGEST_MISMATCH, 20), (Code.PUBLISHER_CHANGED, 40)],
)
def test_critical_facts_cap_the_score_whatever_the_mean(code, limit):
    purl = "pkg:pypi/mcp-server-time@2026.10.19"
    bad = component(findings=(finding(code, purl, f"{code.value} on it"),))
    others = [component(f"ok{i}") for i in range(20)]  # a good mean does not dilute it
    s = score_agent(agent(bad, *others, behavior_=behavior()), as_of=AT)
    assert s.value == limit < s.uncapped
    assert s.caps[0].code == code.value and s.caps[0].subject == "mcp-server-time@2026.10.19"
    assert f"{code.value} on it" in s.caps[0].evidence
    alone = score_component(bad, as_of=AT, audited=True, behaviors=[behavior()])
    assert alone.value <= limit


def test_an_attributed_shift_caps_the_agent_and_names_the_upgrade():
    change = upgrade()
    fs = component("server-filesystem", "2026.8.31", key=FS_KEY)
    before = score_agent(agent(fs, behavior_=behavior()), as_of=AT)
    after = score_agent(
        agent(fs, behavior_=behavior(attributions=(shift_after(change),))), as_of=AT
    )
    assert before.value == 100 and after.value == 50
    (cap,) = after.caps
    assert cap.code == "CW613" and "server-filesystem 2026.8.31 -> 2026.11.28" in cap.evidence
    top = after.lost()[0]
    assert top.factor is FactorName.BEHAVIOR and "RR 105" in top.evidence
    # The component it is attributed to is capped too; another component is not.
    runs = [behavior(attributions=(shift_after(change),))]
    assert score_component(fs, as_of=AT, audited=True, behaviors=runs).value == 50
    other = score_component(component(), as_of=AT, audited=True, behaviors=runs)
    assert other.caps == () and other.value == 100


@pytest.mark.parametrize("verdict", [Verdict.FLEET_WIDE, Verdict.NO_SHIFT, Verdict.NOT_ENOUGH_DATA])
def test_a_change_without_an_attributed_shift_takes_nothing(verdict):
    b = behavior(attributions=(shift_after(upgrade(), verdict),))
    s = score_agent(agent(component(), behavior_=b), as_of=AT)
    assert s.value == 100 and s.caps == ()


def test_pact_violations_and_alarms_take_behaviour_points():
    alarm = shift_after(upgrade()).shifts[0]
    b = behavior(alarms=(alarm,), pact=(pact_violation(),))
    s = score_agent(agent(component(), behavior_=b), as_of=AT)
    codes = {d.code for d in _factor(s, FactorName.BEHAVIOR).deductions}
    assert codes == {"CW614", "CW615"} and s.caps == ()
    assert any("pact allows" in d.evidence for d in s.lost())
    _accounts_for_every_point(s)


def test_an_unchecked_component_is_named_with_its_own_code():
    c = component(
        status="unresolved",
        findings=(finding(Code.UNRESOLVED, "pkg:pypi/mcp-server-time@2026.10.19", "not found"),),
    )
    s = score_agent(agent(c, component("ok"), behavior_=behavior()), as_of=AT)
    provenance = _factor(s, FactorName.PROVENANCE)
    assert provenance.unchecked is None  # one component was checked
    assert [d.code for d in provenance.deductions] == ["CW212"]
    assert "not checked" in provenance.deductions[0].evidence


def test_tool_surface_findings_count_and_a_rug_pull_caps():
    purl = "pkg:pypi/mcp-server-time@2026.10.19"
    rug = finding(Code.TOOL_RUG_PULL, purl, "tool get_time: definition changed (rug pull)")
    hidden = finding(Code.TOOL_HIDDEN_UNICODE, purl, "3 hidden characters")
    s = score_agent(agent(component(tools=(rug, hidden)), behavior_=behavior()), as_of=AT)
    surface = _factor(s, FactorName.TOOL_SURFACE)
    assert {d.code for d in surface.deductions} == {"CW412", "CW420"}
    assert s.value == 40 and s.caps[0].code == "CW412"


def test_policy_verdicts_and_not_checked_codes_are_not_double_counted():
    purl = "pkg:pypi/mcp-server-time@2026.10.19"
    policy = finding(Code.ATTESTATION_REQUIRED, purl, "the policy requires an attestation")
    s = score_agent(agent(component(findings=(policy,)), behavior_=behavior()), as_of=AT)
    assert s.value == 100


def test_risk_signals_take_points_by_severity_from_their_own_factor():
    purl = "pkg:pypi/mcp-server-time"
    floating = finding(Code.FLOATING_LAUNCH, purl, "launched without an exact version")
    s = score_agent(agent(component(findings=(floating,)), behavior_=behavior()), as_of=AT)
    risk = _factor(s, FactorName.RISK_SIGNALS)
    assert risk.value == 100 - W.SEVERITY_POINTS[Severity.MEDIUM]
    assert risk.deductions[0].code == "CW100"


def test_a_factor_that_loses_everything_shares_its_100_among_the_evidence():
    purl = "pkg:pypi/mcp-server-time@2026.10.19"
    found = (
        finding(Code.DIGEST_MISMATCH, purl, "other bytes than locked"),
        finding(Code.NO_LOCKED_DIGEST, purl, "no digest in the lockfile"),
        finding(Code.GIT_SOURCE, purl, "from a git source"),
    )
    s = score_agent(agent(component(findings=found), behavior_=behavior()), as_of=AT)
    integrity = _factor(s, FactorName.INTEGRITY)
    assert integrity.value == 0 and len(integrity.deductions) == 3
    assert integrity.deductions[0].code == "CW200"  # the largest share stays the largest
    _accounts_for_every_point(s)
