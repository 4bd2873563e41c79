"""Which changes attribution tests at: stored ones, runtime ones, one change counted once, and
an innocent earlier change never inheriting a later shift."""

from __future__ import annotations

from datetime import timedelta

from scanner.baseline import ChangeCause, ChangeEvent
from scanner.behavior.analyse import fleet_behavior
from scanner.behavior.changes import merge_changes, runtime_changes, stored_changes
from scanner.behavior.counts import ServerVersion, ToolsChanged
from scanner.behavior.model import Verdict
from scanner.store import open_store
from tests.behavior.helpers import T0, stamp
from tests.behavior.test_analyse import AS_OF, CHANGE, HOT, _fleet, _run


def _at(hours: float) -> str:
    return stamp(T0 + timedelta(hours=hours))


def test_runtime_changes_versions_and_tool_surface_counted_once():
    servers = [
        ServerVersion("a", "gmail-mcp", "pkg:npm/gmail-mcp@1.4.2", "1.4.2", _at(0), _at(9)),
        ServerVersion("a", "gmail-mcp", "pkg:npm/gmail-mcp@1.5.0", "1.5.0", _at(10), _at(20)),
        ServerVersion("a", "gmail-mcp", "pkg:npm/gmail-mcp@1.3.0", "1.3.0", _at(30), _at(31)),
    ]
    notified = [
        ToolsChanged("a", "gmail-mcp", _at(10.2)),  # part of the upgrade
        ToolsChanged("a", "gmail-mcp", _at(50)),  # a change of its own
        ToolsChanged("a", "gmail-mcp", _at(51)),  # the same one, an hour later
    ]
    got = runtime_changes(servers, notified)
    assert [(c.kind, c.before, c.after, c.at) for c in got] == [
        ("upgrade", "1.4.2", "1.5.0", _at(10)),
        ("downgrade", "1.5.0", "1.3.0", _at(30)),
        ("tool_surface", None, None, _at(50)),
    ]
    assert got[0].component == "pkg:npm/gmail-mcp" and got[0].label() == "gmail-mcp 1.4.2 -> 1.5.0"


def test_a_stored_change_seen_at_runtime_too_is_one_change_with_the_runtime_time():
    stored = stored_changes([
        ChangeEvent(_at(12), "a", "pkg:npm/gmail-mcp", "upgraded", "1.4.2", "1.5.0",
                    ChangeCause.SCAN, 7, "low", "upgraded", id=41),
        ChangeEvent(_at(12), "a", "pkg:npm/gmail-mcp", "new-vulnerability", None, None,
                    ChangeCause.RESCAN, 8, "high", "advisory"),  # not a change of code
    ])  # fmt: skip
    runtime = runtime_changes(
        [
            ServerVersion("a", "gmail-mcp", None, "1.4.2", _at(0), _at(9)),
            ServerVersion("a", "gmail-mcp", None, "1.5.0", _at(10), _at(20)),
        ],
        [],
    )
    (merged,) = merge_changes(stored, runtime)
    assert merged.at == _at(10) and merged.change_id == 41
    assert merged.cause == "scan+runtime" and merged.component == "pkg:npm/gmail-mcp"


def test_a_stored_change_alone_is_tested_from_the_store(tmp_path):
    s = _fleet(target_after=HOT, peers_after={"read": 0.9, "network": 0.08, "write": 0.02})
    s.events = [e for e in s.events if not (e.agent == "target" and e.server_version == "1.5.0")]
    with open_store(tmp_path / "s.db") as store:
        store.record_events(s.events, at="t")
        store.record_changes([
            ChangeEvent(stamp(CHANGE), "target", "pkg:npm/gmail-mcp", "upgraded", "1.4.2",
                        "1.5.0", ChangeCause.RESCAN, None, "low", "upgraded"),
        ])  # fmt: skip
        fleet = fleet_behavior(store, as_of=AS_OF)
    target = next(a for a in fleet.agents if a.agent == "target")
    (att,) = target.attributions
    assert att.verdict is Verdict.SHIFT and att.change.cause == "rescan"
    assert att.change.change_id is not None
    assert target.alarms == ()  # the alarm is the change's business


def test_an_earlier_innocent_change_does_not_inherit_a_later_shift():
    s = _fleet(target_after=HOT, peers_after={"read": 0.9, "network": 0.08, "write": 0.02})
    s.info("target", CHANGE - timedelta(hours=30), "search-mcp", "2.0.0")
    s.info("target", CHANGE - timedelta(days=6), "search-mcp", "1.0.0")
    got = _run(s)["target"]
    verdicts = {a.change.label(): a.verdict for a in got.attributions}
    assert verdicts == {
        "search-mcp 1.0.0 -> 2.0.0": Verdict.NO_SHIFT,
        "gmail-mcp 1.4.2 -> 1.5.0": Verdict.SHIFT,
    }
