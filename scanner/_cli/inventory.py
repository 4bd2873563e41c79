"""``inventory`` and ``scans``: read agents and record them; list recorded scans."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import (
    EXIT_OK,
    EXIT_PARTIAL,
    handle_errors,
    has_errors,
    inventory_options,
    main,
    options_for,
)
from scanner._output import Output, inventory_errors, output_options

if TYPE_CHECKING:
    pass


@main.command()
@inventory_options
@output_options()
@click.pass_context
@handle_errors
def inventory(
    ctx: click.Context,
    paths: tuple[Path, ...],
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    system_root: Path | None,
    client: str | None,
    out: Output,
    no_record: bool,
) -> None:
    """List agents -> MCP servers -> components, with version evidence.

    PATHS are agent manifests (chainwatch.toml or a folder holding one), MCP client configs, or
    lockfiles. Nothing is executed and nothing is fetched.
    """
    from scanner.inventory.build import build_inventory
    from scanner.record import run_inventory
    from scanner.store import open_store

    if not paths and not discover:
        raise click.UsageError("name at least one path, or pass --discover")
    inv = build_inventory(list(paths), options_for(discover, home, projects, system_root, client))
    scan_id = None
    if not no_record:
        with open_store(ctx.obj["db"]) as store:
            inputs = {"paths": [str(p) for p in paths], "discover": discover}
            scan_id = run_inventory(inv, store, inputs=inputs, clock=ctx.obj["clock"])
    inventory_errors(inv)
    out.report.inventory(inv, out.stream, scan_id=scan_id)
    sys.exit(EXIT_PARTIAL if has_errors(inv) else EXIT_OK)


@main.command()
@click.option("--limit", default=20, show_default=True, help="How many scans to list.")
@output_options(formats=False)
@click.pass_context
@handle_errors
def scans(ctx: click.Context, limit: int, out: Output) -> None:
    """List recorded scans, newest first."""
    from scanner.store import open_store

    with open_store(ctx.obj["db"]) as store:
        for row in store.scans(limit):
            summary = ", ".join(f"{k}={n}" for k, n in row.summary.items())
            out.data(f"{row.id:>5}  {row.kind:<10} {row.started_at}  {summary}")
