"""The store on real SQLite files: migrations, atomic scans, TOFU identities."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attestations.result import PublisherIdentity
from scanner.errors import StoreError
from scanner.models import (
    Agent,
    AgentInventory,
    Component,
    EvidenceKind,
    Finding,
    Inventory,
    ServerEntry,
    ServerInventory,
    Severity,
    Skipped,
    Transport,
    VersionEvidence,
)
from scanner.store import IdentityUpdate, VerificationRecord, default_db_path, open_store
from scanner.store.migrations import MIGRATIONS
from scanner.store.sqlite import SQLiteStore


def _inventory() -> Inventory:
    comp = Component(
        purl="pkg:npm/%40modelcontextprotocol/server-filesystem@2025.8.21",
        ecosystem="npm",
        name="@modelcontextprotocol/server-filesystem",
        version="2025.8.21",
        evidence=VersionEvidence(EvidenceKind.COMMAND_PIN),
    )
    server = ServerEntry("claude-desktop", "/x/c.json", "fs", Transport.STDIO, command="npx")
    agent = AgentInventory(
        Agent(id="a1", name="A1"),
        servers=(ServerInventory(server, (comp,), (Skipped("x", "why"),)),),
        errors=("/x/bad.json: invalid JSON",),
    )
    return Inventory(agents=(agent,))


def test_migrations_apply_once_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    with open_store(path) as store:
        assert store.schema_version() == MIGRATIONS[-1][0]
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    with open_store(path) as store:  # reopening applies nothing twice
        assert store.count("schema_migrations") == len(MIGRATIONS)


def test_record_scan_round_trip(tmp_path: Path) -> None:
    with open_store(tmp_path / "cw.db") as store:
        finding = Finding("CW100", Severity.MEDIUM, "fs", "floating", (("spec", "@latest"),))
        scan_id = store.record_scan(
            kind="inventory",
            started_at="2026-01-01T00:00:00+00:00",
            finished_at="2026-01-01T00:00:01+00:00",
            inputs={"paths": ["/x"]},
            inventory=_inventory(),
            findings=[("a1", finding)],
            verifications=[VerificationRecord("pkg:npm/x@1", "no-attestation", "none")],
        )
        assert store.count("agents", scan_id) == 1
        assert store.count("servers", scan_id) == 1
        assert store.count("components", scan_id) == 1
        assert store.count("skipped", scan_id) == 1
        assert store.count("findings", scan_id) == 1
        assert store.count("scan_errors", scan_id) == 1
        row = next(store.rows("SELECT * FROM components WHERE scan_id = ?", [scan_id]))
        assert row["purl_key"] == "pkg:npm/%40modelcontextprotocol/server-filesystem"
        assert row["evidence_kind"] == "command_pin"


def test_scan_that_dies_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cw.db"
    with open_store(path) as store:
        store.record_scan(
            kind="inventory", started_at="t", finished_at="t", inputs={}, inventory=_inventory()
        )
        real = SQLiteStore._insert
        calls = {"n": 0}

        def dying(self: SQLiteStore, table: str, rows: object) -> None:
            calls["n"] += 1
            if table == "components":
                raise sqlite3.OperationalError("disk I/O error (injected)")
            real(self, table, rows)  # type: ignore[arg-type]

        monkeypatch.setattr(SQLiteStore, "_insert", dying)
        with pytest.raises(StoreError, match="could not record the scan"):
            store.record_scan(
                kind="inventory", started_at="t", finished_at="t", inputs={}, inventory=_inventory()
            )
        assert calls["n"] >= 2  # it got part-way before dying
    with open_store(path) as store:  # the first scan is intact, the second left no trace
        assert store.count("scans") == 1
        assert store.count("servers") == 1
        assert store.count("agents") == 1


def test_identity_trust_on_first_use(tmp_path: Path) -> None:
    with open_store(tmp_path / "cw.db") as store:
        assert store.publisher_identity("pkg:pypi/x") is None
        ident = PublisherIdentity("github", repository="o/r")
        store.record_scan(
            kind="scan",
            started_at="t",
            finished_at="t",
            inputs={},
            inventory=Inventory(),
            identities=[IdentityUpdate("pkg:pypi/x", "1.0", ident)],
        )
        got = store.publisher_identity("pkg:pypi/x")
        assert got is not None and got.identity == ident and got.attested
        store.record_scan(
            kind="scan",
            started_at="t",
            finished_at="t",
            inputs={},
            inventory=Inventory(),
            identities=[IdentityUpdate("pkg:pypi/x", "1.1", None)],
        )
        got = store.publisher_identity("pkg:pypi/x")
        assert got is not None and got.identity is None and not got.attested
        assert got.last_version == "1.1"


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the chainwatch store") as info:
        open_store(path)
    assert str(path) in info.value.diagnostics()


def test_newer_schema_refused(tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'later')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this chainwatch"):
        open_store(path)


def test_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINWATCH_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    monkeypatch.delenv("CHAINWATCH_DB")
    assert default_db_path().name == "chainwatch.db"
