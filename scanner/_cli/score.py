"""``score``: the supply-chain trust score of every agent (or one) as of a time."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from scanner._cli.root import EXIT_ERROR, handle_errors, main
from scanner._output import Output, error, output_options

if TYPE_CHECKING:
    from scanner.demo import EventsStory
    from scanner.score.model import FleetScore
    from scanner.store import Store


def parse_time(value: str) -> datetime:
    """An RFC 3339 time or a date (UTC when no zone is given)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a time; use e.g. 2026-11-26 or 2026-11-26T11:31:59Z",
            param_hint="--as-of",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@main.command()
@click.argument("agent", required=False)
@click.option(
    "--as-of",
    "as_of",
    metavar="TIME",
    default=None,
    help="Score as of TIME (RFC 3339 or a date): scans finished and events seen by then. "
    "Default: now, and the scores are added to the history.",
)
@click.option(
    "--format",
    "score_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format: json carries every factor, deduction, cap, the model and the history.",
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def score(
    ctx: click.Context, agent: str | None, as_of: str | None, score_format: str, out: Output
) -> None:
    """The supply-chain trust score (0-100) of every agent, or of AGENT and its components.

    A weighted mean of six factors (provenance, integrity, vulnerabilities, risk signals,
    tool-surface stability, behaviour), limited by hard caps for critical facts (malware, digest
    mismatch, publisher identity change, rug pull, attributed behaviour shift). Every lost point
    names its evidence; a factor that could not be assessed is marked and held at half marks.
    """
    from scanner.score.compute import default_behavior, fleet_score, history_points
    from scanner.score.render import causes, fleet_json, score_lines
    from scanner.store import open_store

    when = parse_time(as_of) if as_of is not None else ctx.obj["clock"]()
    with open_store(ctx.obj["db"]) as store:
        fleet = fleet_score(
            store, as_of=when, behavior=default_behavior(), agents=[agent] if agent else None
        )
        if not fleet.agents:
            who = f"agent {agent!r}" if agent else "any agent"
            error(f"error: no scan or runtime events of {who} as of {fleet.as_of}")
            sys.exit(EXIT_ERROR)
        if as_of is None:
            store.record_scores(history_points(fleet, "score"))
        history = {
            s.subject: store.score_history("agent", s.subject, until=fleet.as_of)
            for s in fleet.agents
        }
    if score_format == "json":
        doc = fleet_json(fleet, history)
        out.stream.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return
    lines: list[str] = []
    for s in fleet.agents:
        lines += score_lines(s, history[s.subject], top=10 if agent else 3)
    if agent:
        lines.append("components (lowest first):")
        for c in sorted(fleet.components, key=lambda c: (c.value, c.subject)):
            cause = causes(c, 1)
            lines.append(f"  {c.value:3d} {c.subject}" + (f": {cause[0]}" if cause else ""))
    if not out.options.quiet:
        lines.append(f"scores as of {fleet.as_of}; `chainwatch score AGENT` for every deduction")
    write_lines(out, lines)


def record_history(
    store: Store, when: datetime, cause: str, agents: Sequence[str] | None = None
) -> FleetScore | None:
    """Score the fleet (or ``agents``) as of ``when`` into the history; a failure is a note only
    (the scan or import that called this has done its work)."""
    from scanner.errors import ChainwatchError
    from scanner.score.compute import default_behavior, record_fleet_score

    try:
        return record_fleet_score(
            store, as_of=when, cause=cause, behavior=default_behavior(), agents=agents
        )
    except ChainwatchError as exc:
        error(f"note: the trust scores were not updated: {exc.diagnostics()}")
        return None


def story_lines(story: EventsStory, db: object) -> list[str]:
    """The demo's ending in words: the events imported, each agent's score before and after."""
    from scanner.score.render import causes

    i = story.imported
    out = [
        f"runtime events: {i.stored} stored from {i.path} ({i.duplicates} already stored, "
        f"{len(i.bad)} bad lines)",
        f"trust score before -> after the recorded stream ({story.before.as_of} -> "
        f"{story.after.as_of}):",
    ]
    before = {s.subject: s for s in story.before.agents}
    dropped = []
    for s in story.after.agents:
        was = before.get(s.subject)
        line = f"  {s.subject} {was.value if was else '-'} -> {s.value}"
        if was is not None and s.value < was.value:
            dropped.append(s.subject)
            line += ": " + causes(s, 1)[0]
        out.append(line)
    if dropped:
        out.append(
            f"`chainwatch --db {db} score {dropped[0]} --as-of {story.after.as_of}` names "
            "every lost point (the demo runs on its recorded clock); a `check --min-score 70` "
            "gate fails on it"
        )
    return out


def write_lines(out: Output, lines: list[str]) -> None:
    """Text lines, cleaned and redacted, wrapped under their own indent."""
    from scanner.report.text import safe, wrap

    for line in lines:
        body = line.lstrip(" ")
        lead = " " * (len(line) - len(body))
        for part in wrap(
            safe(body).split(" "), out.options.width, first=lead, indent=len(lead) + 4
        ):
            out.stream.write(part + "\n")
