"""``tools``: pin MCP tool definitions and check them for rug pulls and poisoning."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import EXIT_GATE, EXIT_OK, EXIT_PARTIAL, handle_errors, main, severity_choice
from scanner._output import Output, error, output_options
from scanner.models import Severity

if TYPE_CHECKING:
    pass


@main.group()
def tools() -> None:
    """Pin MCP tool definitions and check them for rug pulls and poisoning."""


@tools.command("scan")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--component",
    required=True,
    help="Package URL with version of the server that listed the tools, e.g. "
    "pkg:npm/%40scope/server@1.2.3 (pins are keyed by it, not by the server's name).",
)
@click.option(
    "--other-tools",
    "other_tools",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A tool list of another server of the same agent, for shadowing checks (repeatable).",
)
@click.option("--accept", is_flag=True, help="Replace this version's pin with these tools.")
@click.option("--no-record", is_flag=True, help="Check only: read no pins and write none.")
@click.option(
    "--fail-on",
    type=severity_choice(),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@output_options()
@click.pass_context
@handle_errors
def tools_scan(
    ctx: click.Context,
    file: Path,
    component: str,
    other_tools: tuple[Path, ...],
    accept: bool,
    no_record: bool,
    fail_on: str,
    out: Output,
) -> None:
    """Pin and check a captured tools/list result FILE statically (the server is not run).

    FILE holds {"tools": [...]}, a bare list of tools, one tool object or a JSON-RPC response.
    The first sight of a component version pins its tools; later runs compare: a changed
    definition at the same version is a rug pull, with a new version a change to review.
    """
    from scanner.report.text import reveal
    from scanner.store import open_store
    from scanner.tools.run import run_tool_scan

    at = ctx.obj["clock"]().isoformat(timespec="seconds")
    if no_record:
        result = run_tool_scan(file, component, None, other_lists=other_tools, at=at)
    else:
        with open_store(ctx.obj["db"]) as store:
            result = run_tool_scan(
                file, component, store, accept=accept, other_lists=other_tools, at=at
            )
    out.report.tool_scan(result, out.stream)
    for s in result.skipped:
        error(f"error: {file}: skipped {reveal(s.subject)}: {reveal(s.reason)}")
    if fail_on != "never" and any(
        f.severity.rank >= Severity(fail_on).rank for f in result.findings
    ):
        sys.exit(EXIT_GATE)
    sys.exit(EXIT_PARTIAL if result.skipped else EXIT_OK)
