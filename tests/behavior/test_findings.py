"""Behaviour as findings: every verdict that matters has a code, a severity and its evidence."""

from __future__ import annotations

from scanner.behavior.counts import Pact
from scanner.behavior.findings import fleet_findings
from scanner.checks.codes import Code
from scanner.models import Severity
from tests.behavior.test_analyse import HOT, _fleet, _run


def test_shift_pact_and_immature_findings():
    s = _fleet(target_after=HOT, peers_after={"read": 0.9, "network": 0.08, "write": 0.02})
    pacts = {"target": Pact("target", ("read", "write"), (("write", 1.0),), "scan 1")}
    agents = _run(s, pacts=pacts)
    from scanner.behavior.model import FleetBehavior

    fleet = FleetBehavior("t", tuple(agents[a] for a in sorted(agents)))
    got = fleet_findings(fleet)
    by_code = {(agent, f.code): f for agent, f in got}
    shift = by_code[("target", Code.BEHAVIOR_SHIFT.value)]
    assert shift.severity is Severity.HIGH
    assert shift.subject == "pkg:npm/gmail-mcp"
    assert "after gmail-mcp 1.4.2 -> 1.5.0" in shift.message
    evidence = dict(shift.evidence)
    assert evidence["change"] == "gmail-mcp 1.4.2 -> 1.5.0" and evidence["feature"] == "rate:write"
    assert by_code[("target", Code.PACT_CLASS.value)].severity is Severity.HIGH
    limit = by_code[("target", Code.PACT_LIMIT.value)]
    assert dict(limit.evidence)["limit_per_hour"] == "1.0"
    assert not any(a != "target" for a, _ in got)  # the peers did nothing worth a finding


def test_not_enough_data_is_an_info_finding_not_silence():
    from tests.behavior.helpers import Stream
    from tests.behavior.test_analyse import AS_OF, BASE

    s = Stream(seed=1)
    s.calls("new", AS_OF.replace(hour=0), 1, 5, BASE)
    fleet_agents = _run(s)
    from scanner.behavior.model import FleetBehavior

    got = fleet_findings(FleetBehavior("t", (fleet_agents["new"],)))
    ((agent, f),) = got
    assert agent == "new" and f.code == Code.BEHAVIOR_IMMATURE.value
    assert f.severity is Severity.INFO and "not enough runtime data" in f.message
