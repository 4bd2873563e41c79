"""`chainwatch behavior`: fingerprints, attributed shifts, alarms and pact violations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from scanner._cli.root import handle_errors, main
from scanner._output import Output, output_options


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO 8601 time, e.g. 2026-03-01T12:00:00Z") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@main.command()
@click.argument("agent", required=False)
@click.option(
    "--as-of", "as_of", metavar="TIME", callback=_as_of,
    help="Analyse as of this time (ISO 8601; UTC when no offset; default: now).",
)  # fmt: skip
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Take the agents' pact and [agent.limits] from this chainwatch.toml (default: as the "
    "latest scan of each agent recorded them).",
)
@output_options()
@click.pass_context
@handle_errors
def behavior(
    ctx: click.Context,
    agent: str | None,
    as_of: datetime | None,
    manifest: Path | None,
    out: Output,
) -> None:
    """Show what each agent (or AGENT) does and whether it changed after a dependency change.

    From the runtime events in the store: each agent's fingerprint (action mix, risky rate, new
    tools), every change event tested before/after with its verdict in words, alarms of shifts no
    change explains, and calls outside the pact or above its limits. Peers are the whole fleet,
    also when one AGENT is shown. An agent without enough history says so: that is not a pass.
    """
    from scanner.behavior.analyse import fleet_behavior
    from scanner.behavior.pact import manifest_pacts
    from scanner.behavior.render import agent_lines, fleet_json
    from scanner.report.interface import ReportFormat
    from scanner.store import open_store

    when = as_of or ctx.obj["clock"]()
    pacts = manifest_pacts(manifest) if manifest is not None else None
    with open_store(ctx.obj["db"]) as store:
        fleet = fleet_behavior(store, as_of=when, pacts=pacts)
        if agent is not None:
            shown = tuple(a for a in fleet.agents if a.agent == agent)
            if not shown:  # no events at all: its own "not enough data" record
                only = fleet_behavior(store, as_of=when, agents=[agent], pacts=pacts)
                shown = only.agents
            fleet = type(fleet)(fleet.as_of, shown)
    if out.fmt is ReportFormat.JSON:
        out.stream.write(json.dumps(fleet_json(fleet), indent=2) + "\n")
        return
    out.line(f"behaviour as of {fleet.as_of}: {len(fleet.agents)} agent(s)")
    if not fleet.agents:
        out.data("no runtime events in the store (see `chainwatch events import`)")
    for a in fleet.agents:
        for line in agent_lines(a, verbose=out.options.verbose):
            out.data(line)
