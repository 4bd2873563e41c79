"""`chainwatch db migrate / status / retention` and `--db URL` on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from scanner._cli import main
from scanner.store import PostgresURL, open_sql_store, open_store
from scanner.store.migrations import MIGRATIONS
from tests.store.test_events import ev

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def cli(db, *args: str, env: dict[str, str] | None = None):
    """Run chainwatch with ``--db`` (a URL with its password, as a user would give it)."""
    target = db.url if isinstance(db, PostgresURL) else str(db)
    result = CliRunner(env=env).invoke(
        main, ["--db", target, *args], obj={"clock": lambda: NOW}, catch_exceptions=False
    )
    if isinstance(db, PostgresURL):  # whatever happened, the password was never printed
        password = db.url.split("@")[0].rsplit(":", 1)[-1]
        assert password not in result.output
    return result


def test_migrate_then_status(store_db, backend) -> None:
    newest = max(v for v, _ in MIGRATIONS)
    first = cli(store_db, "db", "migrate")
    assert first.exit_code == 0, first.output
    assert f"applied:  {', '.join(str(v) for v, _ in MIGRATIONS)}" in first.output
    again = cli(store_db, "db", "migrate")
    assert "applied:  none (up to date)" in again.output
    with open_store(store_db) as store:
        store.record_events([ev(1), ev(2)], at="t")
    status = cli(store_db, "db", "status")
    assert status.exit_code == 0, status.output
    assert f"backend:  {backend}" in status.output
    assert f"schema version: {newest}" in status.output
    assert "pending migrations: none" in status.output
    lines = {line.split()[0]: line.split()[-1] for line in status.output.splitlines()[4:]}
    assert lines["runtime_events"] == "2" and lines["scans"] == "0"
    if backend == "postgres":
        assert "store:    postgresql://***@127.0.0.1" in status.output
        assert "event partitions: 1 (2026-03 .. 2026-03)" in status.output


def test_status_of_a_store_not_migrated_shows_what_is_pending(store_db) -> None:
    status = cli(store_db, "db", "status")
    assert status.exit_code == 0, status.output
    assert "schema version: 0" in status.output
    assert f"pending migrations: {', '.join(str(v) for v, _ in MIGRATIONS)}" in status.output


def test_retention_removes_old_events_only(store_db, backend) -> None:
    with open_sql_store(store_db) as store:
        store.record_events(
            [
                ev(1, time="2025-12-01T00:00:00.000000Z"),
                ev(2, time="2026-02-10T00:00:00.000000Z"),
                ev(3, time="2026-03-14T00:00:00.000000Z"),
            ],
            at="t",
        )
    dry = cli(store_db, "db", "retention", "--events-days", "30", "--dry-run")
    assert "events before 2026-02-13T12:00:00.000000Z: would remove 2" in dry.output
    done = cli(store_db, "db", "retention", "--events-days", "30")
    assert done.exit_code == 0, done.output
    assert "removed 2" in done.output
    assert ("partitions dropped: 1" in done.output) == (backend == "postgres")
    with open_store(store_db) as store:
        assert [e.seq for e in store.runtime_events()] == [3]
    refused = cli(store_db, "db", "retention", "--events-days", "0")
    assert refused.exit_code == 2
    from_env = cli(store_db, "db", "retention", env={"CHAINWATCH_EVENTS_DAYS": "1"})
    assert from_env.exit_code == 0 and "events before 2026-03-14T12:00:00.000000Z: removed 1" in (
        from_env.output
    )


def test_a_wrong_password_fails_with_exit_3_and_no_secret(store_db, backend) -> None:
    if backend == "sqlite":
        bad = store_db / "not-a-dir" / "x.db"
        (store_db).write_text("")  # a file where a folder should be
    else:
        host = store_db.url.split("@", 1)[1]
        bad = PostgresURL(f"postgresql://chainwatch:wrong-pw-9@{host}")
    result = cli(bad, "db", "status")
    assert result.exit_code == 3
    assert "wrong-pw-9" not in result.output and "error:" in result.output


def test_db_url_from_the_environment(store_db) -> None:
    target = store_db.url if isinstance(store_db, PostgresURL) else str(store_db)
    result = CliRunner(env={"CHAINWATCH_DB": target}).invoke(main, ["db", "migrate"])
    assert result.exit_code == 0, result.output
    assert str(store_db) in result.output and "applied:" in result.output


def test_an_unknown_url_scheme_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["--db", "mysql://u:pw@h/db", "db", "status"])
    assert result.exit_code == 2
    assert "unsupported store URL scheme 'mysql'" in result.output and "pw" not in result.output
