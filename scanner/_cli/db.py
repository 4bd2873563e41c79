"""``db``: the offline advisory database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import handle_errors, main
from scanner._output import Output, error, output_options

if TYPE_CHECKING:
    pass


@main.group("db")
def db_group() -> None:
    """Manage the offline advisory database used by scans with --offline."""


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
