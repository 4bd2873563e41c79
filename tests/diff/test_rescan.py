"""rescan as a library: stored components checked again; a new advisory becomes a change event."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.audit.osv_db import import_osv
from scanner.audit.setup import AuditSettings
from scanner.baseline import ChangeCause
from scanner.demo import recorded_at
from scanner.diff import NoBaselineError
from scanner.errors import StoreError
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.models import Inventory
from scanner.rescans import rescan
from scanner.scan import ScanOptions, run_scan
from scanner.store import _changes, open_store
from tests.conftest import FIXTURES

# A record written for this test: every mcp-server-fetch release affected, fixed in 2099.1.1.
RECORD = {
    "id": "CWTEST-rescan-1",
    "modified": "2026-01-01T00:00:00Z",
    "summary": "chainwatch test record",
    "database_specific": {"severity": "CRITICAL"},
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "mcp-server-fetch"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2099.1.1"}]}
            ],
        }
    ],
}


def _demo_with_record(tmp_path: Path) -> Inventory:
    """The demo fleet's inventory; RECORD imported into tmp_path/osv.db."""
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "CWTEST-rescan-1.json").write_text(json.dumps(RECORD))
    import_osv(tmp_path / "osv.db", dump, now="2026-03-01T00:00:00Z")
    return build_inventory([FIXTURES / "demo"], InventoryOptions(home=tmp_path / "home", env={}))


def test_a_new_advisory_found_by_rescan_is_a_rescan_change_event(tmp_path: Path, store_db) -> None:
    moment = recorded_at()
    db = store_db
    inventory = _demo_with_record(tmp_path)
    with FixtureRegistry() as registry, open_store(db) as store:
        options = ScanOptions(
            registry_config=registry.config(), cache_dir=tmp_path / "c", clock=lambda: moment
        )
        first = run_scan(inventory, store, options)
        assert store.change_events() == []  # a first scan has nothing to compare with
        audited = ScanOptions(
            registry_config=registry.config(),
            cache_dir=tmp_path / "c",
            clock=lambda: moment,
            audit=AuditSettings(offline=True, osv_db=tmp_path / "osv.db"),
        )
        done = rescan(store, audited)
        stored = store.change_events()
        kinds = [s.kind for s in store.scans()]
    assert done.source_scan_id == first.scan_id
    assert kinds == ["rescan", "scan"]
    # Each agent running mcp-server-fetch gets the advisory; nothing else changed.
    running = sorted(
        a.agent.id
        for a in inventory.agents
        if any(c.key == "pkg:pypi/mcp-server-fetch" for c in a.components())
    )
    assert running
    new = sorted((e.agent, e.component_key, e.after) for e in done.events)
    assert new == [(a, "pkg:pypi/mcp-server-fetch", "CWTEST-rescan-1") for a in running]
    for event in done.events:
        assert event.kind == "new-vulnerability" and event.severity == "critical"
        assert event.cause is ChangeCause.RESCAN and event.scan_id == done.result.scan_id
        assert event.at == moment.isoformat(timespec="seconds")
    assert stored == list(done.events)


def test_rescan_of_an_empty_store_is_an_error(tmp_path: Path, store_db) -> None:
    with open_store(store_db) as store:
        try:
            rescan(store, ScanOptions(cache_dir=tmp_path / "c"))
        except NoBaselineError as exc:
            assert "no scan" in exc.message
        else:
            raise AssertionError("rescan of an empty store must fail")


def test_a_scan_is_never_stored_without_its_change_events(
    tmp_path: Path, store_db, monkeypatch
) -> None:
    # The scan and the change events since the previous scan are one transaction: when writing
    # the events fails, the scan is not stored either, so the next scan diffs against the last
    # scan whose changes were recorded and no change is lost between two stored scans.
    moment = recorded_at()
    inventory = _demo_with_record(tmp_path)
    with FixtureRegistry() as registry, open_store(store_db) as store:
        options = ScanOptions(
            registry_config=registry.config(), cache_dir=tmp_path / "c", clock=lambda: moment
        )
        run_scan(inventory, store, options)
        audited = replace(options, audit=AuditSettings(offline=True, osv_db=tmp_path / "osv.db"))

        def broken(conn: object, events: object) -> None:
            raise store.db_error("disk I/O error (injected)")

        monkeypatch.setattr(_changes, "save_events", broken)
        with pytest.raises(StoreError, match="could not record the scan"):
            run_scan(inventory, store, audited)
        assert [s.kind for s in store.scans()] == ["scan"]  # the failed scan left nothing
        monkeypatch.undo()
        again = run_scan(inventory, store, audited)
        stored = store.change_events()
    assert {e.after for e in stored} == {"CWTEST-rescan-1"}
    assert {e.scan_id for e in stored} == {again.scan_id}
