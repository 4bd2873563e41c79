"""Where a pact comes from: the manifest's pact and [agent.limits], recorded with a scan and
read back from the store; the limits are validated with errors naming the file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scanner.behavior.analyse import fleet_behavior
from scanner.behavior.counts import Pact
from scanner.errors import ConfigError
from scanner.inventory.manifest import load_manifest
from scanner.models import AgentInventory, Inventory
from scanner.store import open_store
from tests.behavior.helpers import T0, Stream

MANIFEST = """
version = 1
[[agent]]
id = "mailer"
pact = ["read", "write"]
[agent.limits]
write = 5
read = 120.5
"""


def _manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chainwatch.toml"
    path.write_text(text)
    return path


def test_limits_load_and_survive_a_scan_in_the_store(tmp_path, store_db):
    (entry,) = load_manifest(_manifest(tmp_path, MANIFEST))
    assert entry.agent.limits == (("read", 120.5), ("write", 5.0))
    with open_store(store_db) as store:
        scan_id = store.record_scan(
            kind="scan",
            started_at="2026-03-01T00:00:00Z",
            finished_at="2026-03-01T00:00:01Z",
            inputs={},
            inventory=Inventory((AgentInventory(entry.agent),)),
        )
        assert store.stored_inventory(scan_id).agents[0].agent.limits == entry.agent.limits
        pacts = store.agent_pacts(["mailer", "unknown"])
    assert pacts == {
        "mailer": Pact("mailer", ("read", "write"), entry.agent.limits, f"scan {scan_id}")
    }


@pytest.mark.parametrize(
    ("limits", "problem"),
    [
        ("limits = 5", "'limits' must be a table"),
        ("[agent.limits]\nshell = 1", "unknown action class 'shell' in 'limits'"),
        ("[agent.limits]\nwrite = 0", "limits.write must be a positive number"),
        ("[agent.limits]\nwrite = -1.5", "limits.write must be a positive number"),
        ("[agent.limits]\nwrite = true", "limits.write must be a positive number"),
        ("[agent.limits]\nwrite = 'five'", "limits.write must be a positive number"),
        ("[agent.limits]\nwrite = nan", "limits.write must be a positive number"),
        ("[agent.limits]\nwrite = inf", "limits.write must be finite"),
        ("[agent.limits]\nexec = 1", "limits.exec is set but exec is not in 'pact'"),
    ],
)
def test_bad_limits_name_the_file_and_problem(tmp_path, limits, problem):
    text = f'version = 1\n[[agent]]\nid = "mailer"\npact = ["read", "write"]\n{limits}\n'
    with pytest.raises(ConfigError) as info:
        load_manifest(_manifest(tmp_path, text))
    assert problem in str(info.value)
    assert str(tmp_path / "chainwatch.toml") in str(info.value)


def test_fleet_behavior_reads_counts_changes_and_pacts_from_the_store(tmp_path, store_db):
    (entry,) = load_manifest(_manifest(tmp_path, MANIFEST))
    s = Stream(seed=5)
    s.info("mailer", T0, "gmail-mcp", "1.4.2")
    s.calls("mailer", T0, 5 * 24, 6, {"read": 0.9, "write": 0.05, "exec": 0.05})
    as_of = T0 + timedelta(days=5)
    with open_store(store_db) as store:
        store.record_events(s.events, at="t")
        store.record_scan(
            kind="scan",
            started_at="2026-03-01T00:00:00Z",
            finished_at="2026-03-01T00:00:01Z",
            inputs={},
            inventory=Inventory((AgentInventory(entry.agent),)),
        )
        fleet = fleet_behavior(store, as_of=as_of)
        manifest_pact = Pact("mailer", ("read", "write", "exec"), (), "manifest x")
        overridden = fleet_behavior(store, as_of=as_of, pacts={"mailer": manifest_pact})
        nobody = fleet_behavior(store, as_of=as_of, agents=["nobody"])
    (mailer,) = fleet.agents
    assert mailer.fingerprint.calls == 5 * 24 * 6
    assert mailer.pact_source.startswith("scan ")
    assert [v.action_class for v in mailer.pact_violations] == ["exec"]
    assert overridden.agents[0].pact_violations == ()
    assert overridden.agents[0].pact_source == "manifest x"
    (none,) = nobody.agents
    assert none.fingerprint.calls == 0 and none.fingerprint.maturity.value == "not_enough_data"
