"""``report``: the fleet's trust scores, shifts and lost points as one self-contained HTML page."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from datetime import datetime

    from scanner.report.html_source import ReportValues

from scanner._cli.root import EXIT_ERROR, handle_errors, main
from scanner._output import Output, error, output_options


@main.command()
@click.option(
    "--html",
    "html_path",
    metavar="FILE",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Write the page to FILE ('-': standard output).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="TIME",
    default=None,
    help="Report as of TIME (RFC 3339 or a date): scans finished and events seen by then. "
    "Default: now. Nothing is recorded either way.",
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def report(ctx: click.Context, html_path: Path, as_of: str | None, out: Output) -> None:
    """Write the fleet's supply-chain trust report as one HTML page.

    Each agent's score and its history, each behaviour shift on a timeline with the change it
    is attributed to, and the finding behind every lost point. The page opens with no network:
    its style and plots (SVG) are inside it, it runs no script and its Content-Security-Policy
    forbids every load. Names and messages from configs, registries and events are escaped.
    """
    from scanner._cli.score import parse_time
    from scanner.report.html_source import report_values
    from scanner.store import open_store

    now = ctx.obj["clock"]()
    when = parse_time(as_of) if as_of is not None else now
    with open_store(ctx.obj["db"]) as store:
        values = report_values(store, as_of=when)
    if not values.fleet.agents and not values.behavior.agents:
        error(f"error: no scan or runtime events of any agent as of {values.fleet.as_of}")
        sys.exit(EXIT_ERROR)
    page = render_page(values, now=now)
    if str(html_path) == "-":
        out.stream.write(page)
        return
    write_page(html_path, page)
    agents, components = len(values.fleet.agents), len(values.fleet.components)
    out.line(
        f"wrote {html_path}: {agents} agents, {components} components, as of {values.fleet.as_of}"
    )
    if out.options.verbose:
        for s in sorted(values.fleet.agents, key=lambda s: (s.value, s.subject)):
            out.data(f"{s.value:3d} {s.subject}")


def render_page(values: ReportValues, *, now: datetime) -> str:
    """The page for ``values``, stamped with the time it was generated and the version."""
    from scanner import __version__
    from scanner.report.html import render_html
    from scanner.score.compute import stamp

    return render_html(
        values.fleet,
        values.history,
        values.behavior,
        generated_at=stamp(now),
        version=__version__,
        note=values.note,
    )


def write_page(path: Path, page: str) -> None:
    """The whole page or nothing: written beside the target, then moved over it."""
    import tempfile

    from scanner.report.interface import ReportError

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ReportError(
            f"cannot write {path}: {exc.strerror}", hint="check that its folder exists"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(page)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"cannot write {path}: {exc.strerror}") from None
