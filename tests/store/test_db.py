"""The store on real SQLite files and a real PostgreSQL server: migrations, atomic scans, TOFU."""

from __future__ import annotations

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
from scanner.store import (
    IdentityUpdate,
    VerificationRecord,
    default_db_path,
    open_sql_store,
    open_store,
)
from scanner.store.base import SQLStore
from scanner.store.migrations import MIGRATIONS


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
        assert store.schema_version() == max(v for v, _ in MIGRATIONS)
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_migrations_apply_once(store_db) -> None:
    with open_sql_store(store_db, migrate=False) as store:
        assert store.pending_migrations() == [v for v, _ in MIGRATIONS]
        assert store.migrate() == [v for v, _ in MIGRATIONS]
    with open_sql_store(store_db) as store:  # reopening applies nothing twice
        assert store.count("schema_migrations") == len(MIGRATIONS)
        assert store.pending_migrations() == [] and store.migrate() == []


def test_a_migration_numbered_below_the_newest_is_still_applied(store_db) -> None:
    # Branches take migration numbers in parallel: 8 may land after 11 was applied.
    with open_sql_store(store_db) as store:
        last = max(v for v, _ in MIGRATIONS)
        store.conn.execute("DELETE FROM schema_migrations WHERE version = 6")
        store.conn.execute("DROP TABLE change_events")
        store.conn.execute("DROP TABLE baselines")
        assert store.schema_version() == last and store.pending_migrations() == [6]
        assert store.migrate() == [6]
        assert store.count("change_events") == 0


def test_record_scan_round_trip(store_db) -> None:
    with open_store(store_db) as store:
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


def test_scan_that_dies_leaves_nothing(store_db, monkeypatch: pytest.MonkeyPatch) -> None:
    path = store_db
    with open_sql_store(path) as store:
        store.record_scan(
            kind="inventory", started_at="t", finished_at="t", inputs={}, inventory=_inventory()
        )
        real = SQLStore._insert
        calls = {"n": 0}
        driver_error = store.db_error  # sqlite3.Error or psycopg.Error: what the driver raises

        def dying(self: SQLStore, table: str, rows: object) -> None:
            calls["n"] += 1
            if table == "components":
                raise driver_error("disk I/O error (injected)")
            real(self, table, rows)  # type: ignore[arg-type]

        monkeypatch.setattr(type(store), "_insert", dying)
        with pytest.raises(StoreError, match="could not record the scan"):
            store.record_scan(
                kind="inventory", started_at="t", finished_at="t", inputs={}, inventory=_inventory()
            )
        assert calls["n"] >= 2  # it got part-way before dying
    with open_store(path) as store:  # the first scan is intact, the second left no trace
        assert store.count("scans") == 1
        assert store.count("servers") == 1
        assert store.count("agents") == 1


def test_identity_trust_on_first_use(store_db) -> None:
    with open_store(store_db) as store:
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


def test_newer_schema_refused(store_db) -> None:
    with open_sql_store(store_db) as store:
        store.conn.execute("INSERT INTO schema_migrations VALUES (999, 'later')")
    with pytest.raises(StoreError, match="newer than this chainwatch"):
        open_store(store_db)


def test_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINWATCH_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    monkeypatch.delenv("CHAINWATCH_DB")
    assert default_db_path().name == "chainwatch.db"


def test_migration_11_numbers_the_agents_of_an_older_store_in_their_order(tmp_path: Path) -> None:
    import sqlite3

    from scanner.store.base import _statements

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # a store as chainwatch left it before migration 11
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
        )
        for version, sql in MIGRATIONS:
            if version == 11:
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'then')", [version])
        conn.execute("INSERT INTO scans VALUES (1, 'inventory', 't', 't', '0', '{}', '{}')")
        for agent in ("zeta", "alpha", "mid"):  # recorded in this order, not sorted
            conn.execute(
                "INSERT INTO agents (scan_id, agent_id, name, origin, pact, config_paths,"
                " lockfile_paths) VALUES (1, ?, ?, 'manifest', '[]', '[]', '[]')",
                [agent, agent],
            )
    with open_store(db) as store:
        order = [a.agent.id for a in store.stored_inventory(1).agents]
        assert order == ["zeta", "alpha", "mid"]
        assert [r["position"] for r in store.rows("SELECT position FROM agents")] == [1, 2, 3]
