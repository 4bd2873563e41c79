"""`db copy`: an SQLite store with a year of history, copied to PostgreSQL and read the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from attestations.result import PublisherIdentity
from scanner._cli import main
from scanner.baseline import ChangeCause, ChangeEvent, IdentityUpdate, VerificationRecord
from scanner.collector.tokens import new_token
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
    Transport,
    VersionEvidence,
)
from scanner.store import open_sql_store
from scanner.store.copy import copy_store
from tests.conftest import pg_url
from tests.store.test_events import ev
from tests.store.test_toolpins import _surface

pytestmark = pytest.mark.postgres
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAYS = 365
AGENTS = ("alpha", "beta", "gamma")


def clock(days: int) -> Iterator[datetime]:
    """An injected clock: one tick per day of the year."""
    for day in range(days):
        yield START + timedelta(days=day)


def _inventory(day: int) -> Inventory:
    agents = []
    for n, name in enumerate(AGENTS):
        version = f"1.{day // 30}.{n}"  # a release a month
        comp = Component(
            purl=f"pkg:npm/server-{name}@{version}",
            ecosystem="npm",
            name=f"server-{name}",
            version=version,
            evidence=VersionEvidence(EvidenceKind.COMMAND_PIN),
        )
        server = ServerEntry(
            "claude-desktop", f"/c/{name}.json", name, Transport.STDIO, command="npx"
        )
        agents.append(
            AgentInventory(Agent(id=name, name=name.title()), (ServerInventory(server, (comp,)),))
        )
    return Inventory(tuple(agents))


def year_of_scans(path: Path) -> None:
    """A store as a year of daily scans leaves it, written through the store API."""
    who = PublisherIdentity("github", repository="org/server")
    with open_sql_store(path) as store:
        for day, now in enumerate(clock(DAYS)):
            at = now.isoformat(timespec="seconds")
            findings = [
                (
                    a,
                    Finding(
                        f"CW{100 + day % 7}",
                        Severity.MEDIUM,
                        f"server-{a}",
                        f"day {day}",
                        (("d", str(day)),),
                    ),
                )
                for a in AGENTS[: 1 + day % 3]
            ]
            scan_id = store.record_scan(
                kind="scan",
                started_at=at,
                finished_at=at,
                inputs={"day": day},
                inventory=_inventory(day),
                findings=findings,
                verifications=[
                    VerificationRecord(f"pkg:npm/server-{a}@1.{day // 30}.0", "verified", "ok", who)
                    for a in AGENTS
                ],
                identities=[
                    IdentityUpdate(
                        f"pkg:npm/server-{a}", f"1.{day // 30}.0", who if day % 90 else None
                    )
                    for a in AGENTS
                ],
                summary={"findings": len(findings)},
            )
            if day % 30 == 0:
                store.accept_baseline(scan_id, list(AGENTS), at)
                store.record_changes(
                    [
                        ChangeEvent(
                            at,
                            "alpha",
                            "pkg:npm/server-alpha",
                            "upgraded",
                            "a",
                            "b",
                            ChangeCause.SCAN,
                            scan_id,
                            "low",
                            "m",
                        )
                    ]
                )
                store.save_tool_surface(_surface(f"1.{day // 30}", at))
            store.record_events(
                [
                    ev(
                        i,
                        batch=f"day-{day:03d}",
                        agent=AGENTS[i % 3],
                        time=(now + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    )
                    for i in range(20)
                ],
                at=at,
            )
        store.save_token(new_token("alpha", at="2025-03-01T00:00:00")[1])


@pytest.fixture(scope="module")
def year_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("year") / "year.db"
    year_of_scans(path)
    return path


def test_a_year_of_scans_is_copied_and_reads_the_same(year_store: Path, request) -> None:
    url = pg_url(request)
    result = CliRunner().invoke(main, ["db", "copy", "--from", str(year_store), "--to", url.url])
    assert result.exit_code == 0, result.output
    assert url.url not in result.output and str(url) in result.output
    assert "every table's row count matches the source" in result.output
    with open_sql_store(year_store) as src, open_sql_store(url) as dst:
        counts = src.table_counts()
        assert counts["scans"] == DAYS and counts["runtime_events"] == DAYS * 20
        assert dst.table_counts() == counts
        months = dst.event_partitions()
        assert (len(months), months[0], months[-1]) == (12, "2025-03", "2026-02")
        # A sample of what the commands read: findings per agent, scans, snapshots, history.
        for agent in AGENTS:
            assert dst.agent_findings(agent, limit=50) == src.agent_findings(agent, limit=50)
            assert dst.runtime_events(agent=agent, limit=500) == src.runtime_events(
                agent=agent, limit=500
            )
            assert dst.latest_scan_id(agent) == src.latest_scan_id(agent)
        assert dst.scans(limit=DAYS) == src.scans(limit=DAYS)
        for scan_id in (1, 100, 200, DAYS):
            assert dst.snapshot(scan_id) == src.snapshot(scan_id)
            assert dst.stored_inventory(scan_id) == src.stored_inventory(scan_id)
        sample = "SELECT * FROM findings WHERE id % 97 = 0 ORDER BY id"
        assert list(dst.rows(sample)) == list(src.rows(sample))
        assert dst.identity_history() == src.identity_history()
        assert dst.publisher_identities() == src.publisher_identities()
        assert dst.change_events() == src.change_events() and dst.baselines() == src.baselines()
        assert dst.agent_tokens() == src.agent_tokens()
        assert dst.latest_tool_surface("pkg:pypi/math", other_than="") == src.latest_tool_surface(
            "pkg:pypi/math", other_than=""
        )
        # The sequences moved past the copied ids: the next scan gets the next id.
        next_id = dst.record_scan(
            kind="scan", started_at="t", finished_at="t", inputs={}, inventory=Inventory()
        )
        assert next_id == DAYS + 1


def test_a_copy_never_merges_into_a_store_in_use(year_store: Path, request) -> None:
    url = pg_url(request)
    with open_sql_store(url) as dst:
        dst.record_scan(
            kind="scan", started_at="t", finished_at="t", inputs={}, inventory=Inventory()
        )
    with pytest.raises(StoreError, match="the target store is not empty"):
        copy_store(year_store, url)
    with open_sql_store(url) as dst:
        assert dst.count("scans") == 1 and dst.count("findings") == 0


def test_a_copy_that_fails_leaves_the_target_empty(tmp_path: Path, request) -> None:
    src = tmp_path / "bad.db"
    with open_sql_store(src) as store:
        store.record_events([ev(1)], at="t")
        store.record_scan(
            kind="scan", started_at="t", finished_at="t", inputs={}, inventory=Inventory()
        )
        # SQLite keeps what a column is given; PostgreSQL refuses text in an integer column.
        store.conn.execute("UPDATE runtime_events SET seq = 'x'")
    url = pg_url(request)
    with pytest.raises(StoreError, match="rolled back") as info:
        copy_store(src, url)
    assert url.url not in info.value.diagnostics()
    with open_sql_store(url) as dst:
        assert {t: n for t, n in dst.table_counts().items() if n and t != "schema_migrations"} == {}


def test_copy_needs_a_postgres_target(tmp_path: Path) -> None:
    src = tmp_path / "a.db"
    open_sql_store(src).close()
    result = CliRunner().invoke(
        main, ["db", "copy", "--from", str(src), "--to", str(tmp_path / "b.db")]
    )
    assert result.exit_code == 3 and "db copy needs a PostgreSQL target" in result.output


def test_a_table_chainwatch_does_not_know_is_refused_by_name(tmp_path: Path, request) -> None:
    src = tmp_path / "odd.db"
    with open_sql_store(src) as store:
        store.conn.execute('CREATE TABLE "x; DROP TABLE scans" (a TEXT)')
    with pytest.raises(StoreError, match="tables that are not chainwatch's: 'x; DROP TABLE scans'"):
        copy_store(src, pg_url(request))
