"""diff_against as h13's `check` calls it: a recorded scan id or an unrecorded scan result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.checks.diff import ChangeKind
from scanner.demo import recorded_at
from scanner.diff import NoBaselineError, accept_baseline, diff_against
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.models import Severity
from scanner.scan import ScanOptions, run_scan
from scanner.store import open_store
from tests.conftest import FIXTURES


def test_an_unrecorded_result_diffs_like_a_recorded_scan(tmp_path: Path) -> None:
    fleet = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", fleet)
    moment = recorded_at()
    options_home = InventoryOptions(home=tmp_path / "home", env={})
    with FixtureRegistry() as registry, open_store(tmp_path / "cw.db") as store:
        options = ScanOptions(
            registry_config=registry.config(), cache_dir=tmp_path / "c", clock=lambda: moment
        )
        run_scan(build_inventory([fleet], options_home), store, options)
        with pytest.raises(NoBaselineError):
            diff_against(store, 1)
        assert accept_baseline(store, "t", agent="ops") == (1, ["ops"])
        uv_lock = fleet / "ops" / "uv.lock"
        text = uv_lock.read_text()
        digest = text.split('hash = "sha256:', 1)[1][:64]
        uv_lock.write_text(text.replace(digest, "0" * 64, 1))
        edited = build_inventory([fleet], options_home)
        unrecorded = run_scan(edited, None, options)
        recorded = run_scan(edited, store, options)
        assert recorded.scan_id is not None and unrecorded.scan_id is None
        from_result = diff_against(store, unrecorded, agent="ops")
        from_store = diff_against(store, recorded.scan_id, agent="ops")
    assert from_result == from_store
    assert [(c.kind, c.severity, c.agent) for c in from_store] == [
        (ChangeKind.DIGEST_CHANGED, Severity.CRITICAL, "ops")
    ]
    change = from_store[0]
    assert change.before == f"sha256:{digest}" and change.after == "sha256:" + "0" * 64
    assert change.source is not None and change.source.startswith(f"{uv_lock}:")
