"""The store and caches are created readable by their owner only; identity history is kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from attestations.result import PublisherIdentity
from scanner._testing.fixture_server import FixtureRegistry
from scanner.models import Inventory
from scanner.store import IdentityAction, IdentityUpdate, open_store
from tests.scan.conftest import fleet, scan

A = PublisherIdentity("github", repository="https://github.com/o/a")
B = PublisherIdentity("github", repository="https://github.com/o/b")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask: files would be 0644 without care
    try:
        db = tmp_path / "new" / "cw.db"
        with open_store(db) as store:
            store.record_scan(
                kind="inventory", started_at="t", finished_at="t", inputs={}, inventory=Inventory()
            )
            files = [p for p in db.parent.iterdir() if p.name.startswith("cw.db")]
            assert {p.name for p in files} >= {"cw.db", "cw.db-wal", "cw.db-shm"}
            assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(db.parent) == 0o700
    finally:
        os.umask(old)


def test_cache_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with FixtureRegistry() as registry:
            scan(registry, fleet(tmp_path / "f", {"s": ["npx", "-y", "sigstore@1.0.0"]}), tmp_path)
        cache = tmp_path / "cache"
        files = [p for p in cache.rglob("*") if p.is_file()]
        assert any(p.name == "verifications.sqlite" for p in files)
        assert len(files) > 3
        assert {str(p): _mode(p) for p in files} == {str(p): 0o600 for p in files}
        assert _mode(cache) == 0o700
    finally:
        os.umask(old)


def test_identity_history_names_the_scan_that_changed_it(store_db) -> None:
    with open_store(store_db) as store:

        def record(update: IdentityUpdate) -> int:
            return store.record_scan(
                kind="scan",
                started_at="t",
                finished_at=f"at-{update.version}",
                inputs={},
                inventory=Inventory(),
                identities=[update],
            )

        first = record(IdentityUpdate("pkg:npm/x", "1.0", None))
        record(IdentityUpdate("pkg:npm/x", "1.1", None, IdentityAction.UPDATED))  # no change
        attested = record(IdentityUpdate("pkg:npm/x", "2.0", A, IdentityAction.ATTESTED))
        store.set_identity("pkg:npm/x", B, action=IdentityAction.ACCEPTED, at="later")
        store.set_identity("pkg:npm/y", A, action=IdentityAction.PINNED, at="pin", pinned=True)
        record(IdentityUpdate("pkg:npm/y", "9.0", B, IdentityAction.UPDATED))  # never over a pin
        history = store.identity_history("pkg:npm/x")
        assert [(e.action, e.identity, e.scan_id, e.at) for e in history] == [
            (IdentityAction.FIRST_USE, None, first, "at-1.0"),
            (IdentityAction.ATTESTED, A, attested, "at-2.0"),
            (IdentityAction.ACCEPTED, B, None, "later"),
        ]
        pinned = store.publisher_identity("pkg:npm/y")
        assert pinned is not None and pinned.pinned and pinned.identity == A
        assert [e.action for e in store.identity_history("pkg:npm/y")] == [IdentityAction.PINNED]


def test_a_store_left_readable_by_others_is_narrowed(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    open_store(db).close()
    db.chmod(0o644)
    with open_store(db):
        assert _mode(db) == 0o600
