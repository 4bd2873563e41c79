"""``db``: the store (migrate, status, copy, retention) and the offline advisory database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import StoreParam, handle_errors, main
from scanner._output import Output, error, output_options

if TYPE_CHECKING:
    from scanner.store.target import StoreTarget


@main.group("db")
def db_group() -> None:
    """Manage the store (SQLite or PostgreSQL) and the offline advisory database.

    The store is the one --db or CHAINWATCH_DB names (URLs are shown without credentials).
    """


@db_group.command("migrate")
@output_options(formats=False)
@click.pass_context
@handle_errors
def db_migrate(ctx: click.Context, out: Output) -> None:
    """Apply the schema migrations the store lacks (every command also does this on open)."""
    from scanner.store import open_sql_store

    with open_sql_store(ctx.obj["db"], migrate=False) as store:
        applied = store.migrate()
        out.data(f"store:    {store.where} ({store.dialect.value})")
        out.data(f"applied:  {', '.join(map(str, applied)) if applied else 'none (up to date)'}")
        out.data(f"schema version: {store.schema_version()}")


@db_group.command("status")
@output_options(formats=False)
@click.pass_context
@handle_errors
def db_status(ctx: click.Context, out: Output) -> None:
    """Show the store: backend, location (redacted), schema version and rows per table.

    Read only: a store that lacks migrations is shown as it is (see `db migrate`).
    """
    from scanner.store import open_sql_store
    from scanner.store.admin import store_status

    with open_sql_store(ctx.obj["db"], migrate=False) as store:
        status = store_status(store)
    out.data(f"backend:  {status.backend}")
    out.data(f"store:    {status.where}")
    out.data(f"schema version: {status.schema_version}")
    pending = ", ".join(map(str, status.pending)) or "none"
    out.data(f"pending migrations: {pending}")
    if status.event_partitions:
        months = status.event_partitions
        out.data(f"event partitions: {len(months)} ({months[0]} .. {months[-1]})")
    width = max((len(t) for t, _ in status.tables), default=0)
    for table, rows in status.tables:
        out.data(f"  {table.ljust(width)}  {rows}")


@db_group.command("copy")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The SQLite store to copy.",
)
@click.option(
    "--to",
    "target",
    type=StoreParam(),
    default=None,
    help="The empty PostgreSQL store to copy into (default: --db / CHAINWATCH_DB).",
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def db_copy(ctx: click.Context, source: Path, target: StoreTarget | None, out: Output) -> None:
    """Copy an SQLite store, with all its history, into an empty PostgreSQL store.

    Ids are kept; the copy is one transaction and is checked table by table afterwards.
    Give the password in CHAINWATCH_DB or ~/.pgpass rather than in --to.
    """
    from scanner.errors import StoreError
    from scanner.store import PostgresURL
    from scanner.store.copy import copy_store

    target = target or ctx.obj["db"]
    if not isinstance(target, PostgresURL):
        raise StoreError("db copy needs a PostgreSQL target", hint="pass --to postgresql://HOST/DB")
    report = copy_store(source, target, lambda t, n: out.line(f"copied {t}: {n} rows"))
    out.data(f"copied {report.rows} rows in {len(report.tables)} tables from {source} to {target}")
    out.data("every table's row count matches the source")


@db_group.command("retention")
@click.option(
    "--events-days",
    type=click.IntRange(min=1),
    required=True,
    envvar="CHAINWATCH_EVENTS_DAYS",
    help="Keep runtime events of the last N days; older ones are removed "
    "(env CHAINWATCH_EVENTS_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
@output_options(formats=False)
@click.pass_context
@handle_errors
def db_retention(ctx: click.Context, events_days: int, dry_run: bool, out: Output) -> None:
    """Remove raw runtime events older than N days (PostgreSQL: whole monthly partitions).

    Fingerprints, scores and change events are kept: they live in other tables. Run it daily
    (cron, a systemd timer); it is safe to run while collectors ingest.
    """
    from scanner.store import open_sql_store
    from scanner.store.admin import apply_retention

    with open_sql_store(ctx.obj["db"]) as store:
        report = apply_retention(
            store,
            now=ctx.obj["clock"](),
            days=events_days,
            dry_run=dry_run,
        )
    verb = "would remove" if report.dry_run else "removed"
    out.data(f"events before {report.cutoff}: {verb} {report.events}")
    if report.partitions:
        out.data(f"partitions dropped: {report.partitions}")


@db_group.command("import-osv")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--osv-db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_OSV_DB",
    help="Offline OSV database (default: osv.db in the user data folder; env CHAINWATCH_OSV_DB).",
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def db_import_osv(ctx: click.Context, path: Path, osv_db: Path | None, out: Output) -> None:
    """Import OSV records from an all.zip dump or a folder of .json files (streamed, atomic).

    Records replace earlier ones with the same id; malformed records are skipped and named.
    """
    from scanner.audit.osv_db import default_osv_db_path, import_osv

    target = osv_db or default_osv_db_path()
    report = import_osv(target, path, now=ctx.obj["clock"]().isoformat(timespec="seconds"))
    for skipped in report.skipped:
        error(f"warning: {skipped}")
    out.data(f"database:  {target}")
    out.data(f"read:      {report.read}")
    out.data(f"imported:  {report.imported} ({report.replaced} replaced earlier records)")
    out.data(f"other ecosystems (not stored): {report.other_ecosystems}")
    out.data(f"skipped as malformed: {len(report.skipped)}")
