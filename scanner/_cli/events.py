"""``events``: runtime events from the in-process hook."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import EXIT_PARTIAL, handle_errors, main
from scanner._output import Output, error, output_options

if TYPE_CHECKING:
    pass


@main.group()
def events() -> None:
    """Runtime events from the in-process hook (scanner.runtime)."""


@events.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@output_options(formats=False)
@click.pass_context
@handle_errors
def events_import(ctx: click.Context, file: Path, out: Output) -> None:
    """Load FILE (JSON Lines of runtime events, or a hook's spool) into the store.

    Each line is checked against the event schema and redacted. A bad line is reported with its
    number and skipped; the rest loads in one transaction (exit 4 when a line was bad). Events
    are keyed by (batch_id, seq): a batch imported twice is stored once.
    """
    from scanner._cli.score import record_history
    from scanner.events.importer import import_events  # jsonschema loads only for this command
    from scanner.store import open_store

    now = ctx.obj["clock"]()
    with open_store(ctx.obj["db"]) as store:
        result = import_events(store, file, at=now.isoformat(timespec="seconds"))
        if result.stored:  # new behaviour evidence: the scores as of now go into the history
            record_history(store, now, "events")
    for bad in result.bad:
        error(f"{result.path}:{bad.line}: {bad.problem}")
    out.line(
        f"{result.path}: {result.stored} events stored, {result.duplicates} already stored, "
        f"{len(result.bad)} bad lines skipped"
    )
    if result.bad:
        sys.exit(EXIT_PARTIAL)
