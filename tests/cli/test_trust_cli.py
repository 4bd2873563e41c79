"""`chainwatch trust-root status`, `trust list|accept` and `scans` on a real store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from attestations.result import PublisherIdentity
from scanner._cli import main
from scanner.models import Inventory
from scanner.store import IdentityUpdate, open_store
from tests.conftest import db_arg

from ._clock import fixed_obj


def test_trust_root_status_of_shipped_root() -> None:
    result = CliRunner().invoke(main, ["trust-root", "status"], obj=fixed_obj())
    assert result.exit_code == 0, result.output
    assert "sha256:" in result.output and "problem:" not in result.output


def test_trust_root_status_of_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "trusted_root.json"
    broken.write_text(json.dumps({"mediaType": "nonsense"}))
    result = CliRunner().invoke(
        main, ["trust-root", "status", "--path", str(broken)], obj=fixed_obj()
    )
    assert result.exit_code == 1
    assert "problem:" in result.output


def test_trust_list_accept_and_scans(store_db) -> None:
    db = store_db
    with open_store(db) as store:
        store.record_scan(
            kind="scan",
            started_at="2026-01-01T00:00:00+00:00",
            finished_at="2026-01-01T00:00:00+00:00",
            inputs={},
            inventory=Inventory(),
            identities=[
                IdentityUpdate("pkg:npm/x", "1.0", PublisherIdentity("github", "i", "o/r"))
            ],
        )
    runner = CliRunner()
    listed = runner.invoke(main, ["--db", db_arg(db), "trust", "list"])
    assert listed.exit_code == 0 and "pkg:npm/x" in listed.output and "o/r" in listed.output
    # No scan ever checked pkg:npm/x, so there is nothing seen to accept: say so, change nothing.
    accepted = runner.invoke(main, ["--db", db_arg(db), "trust", "accept", "pkg:npm/x"])
    assert accepted.exit_code == 3 and "no scan has checked" in accepted.output
    scans = runner.invoke(main, ["--db", db_arg(db), "scans"])
    assert scans.exit_code == 0 and "scan" in scans.output
