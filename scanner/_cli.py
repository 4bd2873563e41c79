"""Thin click layer: options -> calls -> output, exit codes.

Exit codes: 0 clean; 1 the gate tripped (a finding at or above --fail-on, or a component not
verified under --require-verified); 2 usage error; 3 chainwatch could not run (store, trust root,
...); 4 the run completed but some inputs could not be read (reported with the reason).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from scanner.errors import ChainwatchError
from scanner.inventory.build import InventoryOptions, build_inventory, inventory_findings
from scanner.models import Inventory, Severity
from scanner.report import json as json_report
from scanner.report.table import render_inventory
from scanner.store import Store

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2, 3, 4

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn the project's own errors into a diagnostics text and exit code 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ChainwatchError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc.diagnostics()}", highlight=False)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def inventory_options(func: F) -> F:
    """Options shared by every command that reads agents."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--discover", is_flag=True, help="Also find MCP client configs on this machine."),
        click.option(
            "--home", type=click.Path(path_type=Path, file_okay=False), default=None,
            help="Home folder to discover from (default: the current user's).",
        ),
        click.option(
            "--project", "projects", multiple=True,
            type=click.Path(path_type=Path, file_okay=False),
            help="Project folder whose project-scope configs to discover (repeatable).",
        ),
        click.option(
            "--format", "fmt", type=click.Choice(["table", "json"]), default="table",
            show_default=True, help="Output format.",
        ),
        click.option("--no-record", is_flag=True, help="Do not record this run in the store."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.group()
@click.version_option(package_name="chainwatch")
@click.option(
    "--db", type=click.Path(path_type=Path, dir_okay=False), envvar="CHAINWATCH_DB",
    help="SQLite store (default: chainwatch.db in the user data folder; env CHAINWATCH_DB).",
)
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """chainwatch: guard the supply chain of AI agents.

    Inventories every agent's MCP servers and tool packages, verifies what they run against
    registries and sigstore attestations, and records each scan in a SQLite baseline.
    """
    ctx.obj = {"db": db}


def _options(discover: bool, home: Path | None, projects: tuple[Path, ...]) -> InventoryOptions:
    return InventoryOptions(
        discover=discover,
        home=home or Path.home(),
        project_dirs=tuple(projects) or ((Path.cwd(),) if discover else ()),
    )


@main.command()
@inventory_options
@click.pass_context
@handle_errors
def inventory(
    ctx: click.Context,
    paths: tuple[Path, ...],
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    fmt: str,
    no_record: bool,
) -> None:
    """List agents -> MCP servers -> components, with version evidence.

    PATHS are agent manifests (chainwatch.toml or a folder holding one), MCP client configs, or
    lockfiles. Nothing is executed and nothing is fetched.
    """
    if not paths and not discover:
        raise click.UsageError("name at least one path, or pass --discover")
    started = _now()
    inv = build_inventory(list(paths), _options(discover, home, projects))
    scan_id = None
    if not no_record:
        with Store.open(ctx.obj["db"]) as store:
            scan_id = store.record_scan(
                kind="inventory",
                started_at=started,
                inputs={"paths": [str(p) for p in paths], "discover": discover},
                inventory=inv,
                findings=list(inventory_findings(inv)),
                summary=_summary(inv),
            )
    if fmt == "json":
        click.echo(json_report.dumps(json_report.inventory_document(inv, scan_id=scan_id)))
    else:
        render_inventory(inv, Console())
    sys.exit(EXIT_PARTIAL if _has_errors(inv) else EXIT_OK)


@main.command()
@click.option("--limit", default=20, show_default=True, help="How many scans to list.")
@click.pass_context
@handle_errors
def scans(ctx: click.Context, limit: int) -> None:
    """List recorded scans, newest first."""
    with Store.open(ctx.obj["db"]) as store:
        for row in store.scans(limit):
            click.echo(f"{row['id']:>5}  {row['kind']:<10} {row['started_at']}  {row['summary']}")


def _summary(inv: Inventory) -> dict[str, int]:
    return {
        "agents": len(inv.agents),
        "servers": sum(len(a.servers) for a in inv.agents),
        "components": sum(len(a.components()) for a in inv.agents),
        "errors": sum(len(a.errors) for a in inv.agents) + len(inv.errors),
    }


def _has_errors(inv: Inventory) -> bool:
    return bool(inv.errors) or any(a.errors for a in inv.agents)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def severity_choice() -> click.Choice[str]:
    """The --fail-on choices."""
    return click.Choice([s.value for s in Severity] + ["never"])
