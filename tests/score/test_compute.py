"""Fleet scores from a real SQLite store as of a time: scans, tool pins, behaviour, history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.baseline import VerificationRecord
from scanner.behavior.model import FleetBehavior
from scanner.checks.codes import Code, finding
from scanner.errors import ChainwatchError
from scanner.models import Inventory
from scanner.record import run_inventory
from scanner.score.compute import ScoreError, fleet_score, record_fleet_score, stamp
from scanner.score.model import FactorName
from scanner.store import Store, open_store
from scanner.tools import SurfaceKey, parse_tool_list, pin_surface
from tests.scan.conftest import fleet

from ._values import behavior, shift_after, upgrade

T1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=3)
TIME = "pkg:pypi/mcp-server-time"


def _inventory(tmp_path: Path) -> Inventory:
    return fleet(tmp_path / "fleet", {"time": ["uvx", "mcp-server-time==2026.10.19"]})


def _record(store: Store, inv: Inventory, at: datetime, *, status: str, findings=()) -> int:
    purl = f"{TIME}@2026.10.19"
    return store.record_scan(
        kind="scan",
        started_at=stamp(at),
        finished_at=stamp(at),
        inputs={"audited": True},
        inventory=inv,
        findings=[("agent", f) for f in findings],
        verifications=[VerificationRecord(purl, status, f"{status} (test)")],
    )


def _pin(store: Store, at: datetime, description: str = "Current time in a zone") -> None:
    tools = [{"name": "get_time", "description": description, "inputSchema": {"type": "object"}}]
    surface, _ = pin_surface(
        parse_tool_list(json.dumps({"tools": tools}), "t"),
        SurfaceKey(TIME, "2026.10.19"),
        stamp(at),
    )
    store.save_tool_surface(surface)


def test_as_of_reads_the_newest_scan_finished_by_then(tmp_path: Path, store_db):
    inv = _inventory(tmp_path)
    mismatch = finding(Code.DIGEST_MISMATCH, f"{TIME}@2026.10.19", "other bytes than locked")
    with open_store(store_db) as store:
        _record(store, inv, T1, status="verified")
        _record(store, inv, T2, status="digest-mismatch", findings=[mismatch])
        early = fleet_score(store, as_of=T2 - timedelta(seconds=1))
        late = fleet_score(store, as_of=T2)
        nothing = fleet_score(store, as_of=T1 - timedelta(seconds=1))
        # An inventory record verifies nothing: the newest verifying scan still counts.
        run_inventory(inv, store, clock=lambda: T2 + timedelta(hours=1))
        inventoried = fleet_score(store, as_of=T2 + timedelta(days=1))
    (a1,), (a2,) = early.agents, late.agents
    assert a1.caps == () and a1.value > 20
    assert a2.value == 20 and a2.caps[0].code == "CW200"
    assert nothing.agents == () and nothing.components == ()
    assert inventoried.agents[0].value == 20 and inventoried.agents[0].caps == a2.caps
    assert [c.subject for c in late.components] == [f"{TIME}@2026.10.19"]


def test_a_pinned_tool_surface_is_checked_again_as_of_its_pin(tmp_path: Path, store_db):
    inv = _inventory(tmp_path)
    with open_store(store_db) as store:
        _record(store, inv, T1, status="verified")
        unpinned = fleet_score(store, as_of=T1)
        _pin(store, T1 + timedelta(hours=1), "Current time\u200b\u200b in a zone")
        before_pin = fleet_score(store, as_of=T1)
        pinned = fleet_score(store, as_of=T2)

    def surface(f):
        return next(x for x in f.agents[0].factors if x.name is FactorName.TOOL_SURFACE)

    assert surface(unpinned).unchecked is not None and surface(unpinned).value <= 50
    assert surface(before_pin) == surface(unpinned)  # pinned after the as-of time: not yet seen
    assert surface(pinned).unchecked is None
    assert [d.code for d in surface(pinned).deductions] == ["CW420"]


def test_behaviour_comes_from_the_injected_analysis_as_of_the_same_time(tmp_path: Path, store_db):
    inv = _inventory(tmp_path)
    asked: list[tuple[datetime, object]] = []

    def analysis(store, *, as_of, agents=None):
        asked.append((as_of, agents))
        change = upgrade("agent", TIME)
        return FleetBehavior(
            stamp(as_of), (behavior("agent", attributions=(shift_after(change),)),)
        )

    with open_store(store_db) as store:
        _record(store, inv, T1, status="verified")
        scored = record_fleet_score(
            store, as_of=T2, cause="events", behavior=analysis, agents=["agent"]
        )
        history = store.score_history("agent", "agent")
        component = store.score_history("component", f"{TIME}@2026.10.19")
    assert asked == [(T2, None)]  # one agent asked, the whole fleet analysed: its peers count
    (a,) = scored.agents
    assert a.value == 50 and a.caps[0].code == "CW613"
    assert "mcp-server-time 2026.8.31 -> 2026.11.28" in a.caps[0].evidence
    assert [(p.value, p.cause, p.at) for p in history] == [(50, "events", stamp(T2))]
    assert "CW613" in history[0].why and component[0].value == 50


def test_a_failing_behaviour_analysis_is_no_score_not_a_silent_pass(tmp_path: Path, store_db):
    def broken(store, *, as_of, agents=None):
        raise ChainwatchError("the runtime events table is unreadable")

    with open_store(store_db) as store:
        _record(store, _inventory(tmp_path), T1, status="verified")
        with pytest.raises(ScoreError, match="unreadable"):
            fleet_score(store, as_of=T2, behavior=broken)


def test_an_agent_seen_only_at_runtime_is_scored_with_its_static_factors_unassessed(
    tmp_path, store_db
):
    def analysis(store, *, as_of, agents=None):
        return FleetBehavior(stamp(as_of), (behavior("ghost"),))

    with open_store(store_db) as store:
        (ghost,) = fleet_score(store, as_of=T2, behavior=analysis).agents
    assert ghost.subject == "ghost" and ghost.value <= 60
    unassessed = {f.name.value for f in ghost.factors if f.unchecked}
    assert unassessed == {
        "provenance",
        "integrity",
        "vulnerabilities",
        "risk_signals",
        "tool_surface",
    }


def test_history_is_read_between_two_times_oldest_first(tmp_path: Path, store_db):
    inv = _inventory(tmp_path)
    with open_store(store_db) as store:
        _record(store, inv, T1, status="verified")
        for day in range(4):
            record_fleet_score(store, as_of=T1 + timedelta(days=day), cause="score")
        points = store.score_history(
            "agent", "agent", since=stamp(T1 + timedelta(days=1)), until=stamp(T2)
        )
        assert store.score_history("agent", "nobody") == []
    assert [p.at for p in points] == [stamp(T1 + timedelta(days=d)) for d in (1, 2, 3)]
    assert all(p.cause == "score" and p.uncapped is not None for p in points)


def test_a_rug_pull_the_proxy_saw_counts_for_a_week_on_its_component(tmp_path: Path, store_db):
    inv = _inventory(tmp_path)
    purl = f"{TIME}@2026.10.19"
    rug = finding(Code.TOOL_RUG_PULL, purl, "tool get_time: definition changed (rug pull)")
    with open_store(store_db) as store:
        _record(store, inv, T1, status="verified")
        seen = T1 + timedelta(hours=1)
        store.record_scan(
            kind="proxy",
            started_at=stamp(seen),
            finished_at=stamp(seen),
            inputs={"agent": "agent", "component": purl, "source": "tools/list"},
            inventory=Inventory(),
            findings=[("agent", rug)],
        )
        during = fleet_score(store, as_of=T2)
        later = fleet_score(store, as_of=seen + timedelta(days=8))
    (agent,) = during.agents
    assert agent.value == 40 and agent.caps[0].code == "CW412"
    surface = next(f for f in agent.factors if f.name is FactorName.TOOL_SURFACE)
    assert [(d.code, d.subject) for d in surface.deductions] == [
        ("CW412", "mcp-server-time@2026.10.19")
    ]
    assert during.components[0].caps[0].code == "CW412"
    assert later.agents[0].caps == ()
