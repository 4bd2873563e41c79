"""The pure core on hand-built fleets: shifts, peers, maturity, alarms, pacts."""

from __future__ import annotations

import re
from datetime import timedelta

from scanner.behavior.analyse import analyse
from scanner.behavior.counts import Pact, count_events
from scanner.behavior.model import Maturity, Verdict
from scanner.behavior.series import rfc3339
from tests.behavior.helpers import T0, Stream

BASE = {"read": 0.9, "network": 0.08, "write": 0.02}
HOT = {"read": 0.72, "network": 0.08, "write": 0.20}
CHANGE = T0 + timedelta(days=7, minutes=30)
AS_OF = T0 + timedelta(days=8, hours=1)
PEERS = ("p1", "p2", "p3", "p4", "p5")


def _fleet(*, target_after: dict[str, float], peers_after: dict[str, float]) -> Stream:
    s = Stream(seed=11)
    for agent in ("target", *PEERS):
        s.info(agent, T0, "gmail-mcp", "1.4.2")
        s.calls(agent, T0, 7 * 24, 10, BASE)
        s.calls(agent, CHANGE + timedelta(minutes=30), 24, 10,
                target_after if agent == "target" else peers_after)  # fmt: skip
    s.info("target", CHANGE, "gmail-mcp", "1.5.0")
    return s


def _run(s: Stream, **kw):
    counts = count_events(s.events, since=rfc3339(AS_OF - timedelta(days=28)), until=rfc3339(AS_OF))
    return {a.agent: a for a in analyse(counts, [], kw.pop("pacts", {}), as_of=AS_OF, **kw).agents}


def test_a_shift_after_an_upgrade_is_attributed_with_evidence_in_words():
    got = _run(_fleet(target_after=HOT, peers_after=BASE))
    target = got["target"]
    assert target.fingerprint.maturity is Maturity.MATURE
    (att,) = target.attributions
    assert att.verdict is Verdict.SHIFT
    assert att.change.label() == "gmail-mcp 1.4.2 -> 1.5.0"
    assert att.change.cause == "runtime"
    # The write rate before and after, its ratio and CI, the change, the peers.
    assert re.match(r"write \d+\.\d% -> \d+\.\d% \(RR \d+\.\d, 95% CI [\d.]+-\d+\)", att.evidence)
    assert "after gmail-mcp 1.4.2 -> 1.5.0; peers flat" in att.evidence
    top = att.shifts[0]
    assert top.feature == "rate:write" and top.peers_shifted is False
    assert top.rate_ratio is not None and top.rate_ratio > 5
    assert top.q_value is not None and top.q_value <= 0.001
    assert target.alarms == ()  # the CUSUM alarm belongs to the change it follows
    assert all(not a.attributions and not a.alarms for k, a in got.items() if k != "target")


def test_a_fleet_wide_shift_blames_no_single_agent():
    got = _run(_fleet(target_after=HOT, peers_after=HOT))
    (att,) = got["target"].attributions
    assert att.verdict is Verdict.FLEET_WIDE
    assert att.shifts == ()
    assert "peers shifted too" in att.evidence and "not this change" in att.evidence
    assert all(not a.alarms for a in got.values())


def test_no_shift_when_nothing_changed():
    got = _run(_fleet(target_after=BASE, peers_after=BASE))
    (att,) = got["target"].attributions
    assert att.verdict is Verdict.NO_SHIFT
    assert att.evidence.startswith("no shift after gmail-mcp 1.4.2 -> 1.5.0")


def test_an_immature_agent_is_not_enough_data_never_a_pass():
    s = Stream(seed=2)
    s.info("young", AS_OF - timedelta(hours=30), "gmail-mcp", "1.4.2")
    s.calls("young", AS_OF - timedelta(hours=30), 20, 5, BASE)
    s.info("young", AS_OF - timedelta(hours=9), "gmail-mcp", "1.5.0")
    s.calls("young", AS_OF - timedelta(hours=8), 7, 5, HOT)
    young = _run(s)["young"]
    assert young.fingerprint.maturity is Maturity.NOT_ENOUGH_DATA
    assert "needs 200 calls over 3 days" in young.fingerprint.maturity_reason
    (att,) = young.attributions
    assert att.verdict is Verdict.NOT_ENOUGH_DATA
    assert "not mature" in att.evidence


def test_a_shift_without_a_change_raises_an_alarm_at_its_change_point():
    s = _fleet(target_after=HOT, peers_after=BASE)
    s.events = [e for e in s.events if not (e.agent == "target" and e.server_version == "1.5.0")]
    target = _run(s)["target"]
    assert target.attributions == ()
    (alarm,) = target.alarms
    assert alarm.detector == "cusum" and alarm.feature == "rate:risky"
    # The change point is found within a few hours of the real one.
    assert abs((_t(alarm.at) - CHANGE).total_seconds()) <= 4 * 3600
    assert "no change event near it" in alarm.evidence


def test_fingerprint_mix_rates_and_first_seen():
    s = _fleet(target_after=BASE, peers_after=BASE)
    s.calls("target", AS_OF - timedelta(hours=3), 2, 5, {"exec": 1.0}, server="shell-mcp")
    fp = _run(s)["target"].fingerprint
    shares = dict(fp.mix)
    assert abs(sum(shares.values()) - 1) < 1e-9 and shares["read"] > 0.8
    assert 0 < fp.risky_per_call < 0.1 and fp.risky_per_hour > 0
    assert fp.calls == 7 * 24 * 10 + 24 * 10 + 10
    assert [t for t, _ in fp.first_seen_tools] == ["exec_tool"]


def test_pact_violations_and_limits():
    s = _fleet(target_after=HOT, peers_after=BASE)
    pacts = {
        "target": Pact("target", ("read", "write"), (("write", 1.0),), "scan 3"),
        "p1": Pact("p1", ("read", "network", "write"), (), "scan 3"),
    }
    got = _run(s, pacts=pacts)
    by_class = {v.action_class: v for v in got["target"].pact_violations}
    assert set(by_class) == {"network", "write"}
    assert (
        by_class["network"].limit_per_hour is None
        and "allows read, write" in by_class["network"].message
    )
    assert by_class["write"].limit_per_hour == 1.0
    assert (
        by_class["write"].observed_per_hour is not None and by_class["write"].observed_per_hour > 1
    )
    assert got["target"].pact_source == "scan 3"
    assert got["p1"].pact_violations == ()
    assert got["p2"].pact_source == "" and got["p2"].pact_violations == ()


def _t(text: str):
    from scanner.behavior.series import parse_time

    return parse_time(text)


def _late_upgrade(peer_rate: int) -> tuple[dict, str]:
    """Seeds 49, 66 and 88 of the first reporting run: the whole fleet's risky rate rises at S,
    one agent upgrades 6 hours later, and as of 8 hours after the upgrade no peer group has the
    500 calls per window min_peer_calls asks (5 peers x ``peer_rate`` calls x 7 hours)."""
    shift = T0 + timedelta(days=7)
    upgrade = shift + timedelta(hours=6, minutes=30)
    as_of = upgrade + timedelta(hours=8)
    s = Stream(seed=49)
    for agent in ("target", *PEERS):
        rate = 10 if agent == "target" else peer_rate
        s.info(agent, T0, "gmail-mcp", "1.4.2")
        s.calls(agent, T0, 7 * 24, rate, BASE)
        s.calls(agent, shift, 14, rate, HOT)
    s.info("target", upgrade, "gmail-mcp", "1.5.0")
    counts = count_events(s.events, since=rfc3339(as_of - timedelta(days=28)), until=rfc3339(as_of))
    got = {a.agent: a for a in analyse(counts, [], {}, as_of=as_of).agents}
    assert all(a.verdict is not Verdict.SHIFT for g in got.values() for a in g.attributions)
    assert all(not g.alarms for g in got.values())
    (att,) = got["target"].attributions
    return got, att


def test_an_upgrade_hours_after_a_fleet_wide_shift_is_compared_with_peers_as_busy_as_the_agent():
    # Peers make 5x the agent's calls: fewer than 500 after the upgrade, but as many as the
    # agent's own, so the comparison is made and finds the shift fleet-wide (it used to be
    # skipped, and the upgrade blamed with "no peers to compare").
    _, att = _late_upgrade(peer_rate=10)
    assert att.verdict is Verdict.FLEET_WIDE
    assert "peers shifted too" in att.evidence and "not this change" in att.evidence


def test_an_upgrade_after_a_fleet_wide_shift_is_not_enough_data_while_peers_are_too_quiet():
    # Peers quieter than the agent in the after window (5 x 1 call x 7 hours < the agent's 70):
    # the comparison that would clear it cannot be made, so no verdict blames it yet.
    _, att = _late_upgrade(peer_rate=1)
    assert att.verdict is Verdict.NOT_ENOUGH_DATA
    assert "peers not yet comparable" in att.evidence


def test_an_agent_alone_in_its_fleet_is_judged_without_peers_and_says_so():
    s = Stream(seed=5)
    s.info("solo", T0, "gmail-mcp", "1.4.2")
    s.calls("solo", T0, 7 * 24, 10, BASE)
    s.info("solo", CHANGE, "gmail-mcp", "1.5.0")
    s.calls("solo", CHANGE + timedelta(minutes=30), 24, 10, HOT)
    counts = count_events(s.events, since=rfc3339(AS_OF - timedelta(days=28)), until=rfc3339(AS_OF))
    (solo,) = analyse(counts, [], {}, as_of=AS_OF).agents
    (att,) = solo.attributions
    assert att.verdict is Verdict.SHIFT
    assert "no peers to compare" in att.evidence
