"""``serve`` and ``token create/list/revoke``: the collector's commands.

FastAPI and uvicorn load only inside ``serve`` (the ``chainwatch[collector]`` extra).
"""

from __future__ import annotations

import sys

import click

from scanner._cli.root import EXIT_ERROR, EXIT_USAGE, handle_errors, main
from scanner._output import Output, error, output_options


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--max-body",
    default=4 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest request body in bytes (413 above it, checked before parsing).",
)
@click.option(
    "--rate",
    default=50.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Requests/s per token.",
)
@click.option(
    "--burst", default=100, show_default=True, type=click.IntRange(1), help="Burst per token."
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def serve(
    ctx: click.Context, host: str, port: int, max_body: int, rate: float, burst: int, out: Output
) -> None:
    """Run the collector: batched event ingest, OTLP/HTTP JSON traces, per-agent reads.

    POST /v1/events (the hook's HTTP sink), POST /v1/traces (OTLP JSON: tool-call spans become
    events), GET /v1/agents/AGENT/events and /findings; the OpenAPI document is /openapi.json.
    Every request needs a token from `chainwatch token create`. The rate limit is per token and
    per process: N collectors behind a load balancer each allow it.
    """
    try:
        from scanner.collector.app import CollectorSettings
        from scanner.collector.ratelimit import RateLimit
        from scanner.collector.server import serve as run
    except ImportError as exc:
        error(
            f"error: the collector needs its extra: pip install 'chainwatch[collector]' "
            f"({exc.name})"
        )
        sys.exit(EXIT_ERROR)
    settings = CollectorSettings(
        db=ctx.obj["db"], max_body=max_body, rate=RateLimit(rate, burst), clock=ctx.obj["clock"]
    )
    out.line(f"collector: {rate:g} requests/s per token (burst {burst}) in this process")
    run(settings, host=host, port=port)


@main.group()
def token() -> None:
    """Per-agent bearer tokens for the collector (stored as SHA-256 digests)."""


@token.command("create")
@click.argument("agent")
@output_options(formats=False)
@click.pass_context
@handle_errors
def token_create(ctx: click.Context, agent: str, out: Output) -> None:
    """Make a token that writes and reads AGENT's events; it is shown once, here."""
    from scanner.collector.tokens import AGENT_NAME, new_token
    from scanner.store import open_store

    if not AGENT_NAME.match(agent):
        error("error: the agent name must be 1-256 characters without control characters")
        sys.exit(EXIT_USAGE)
    text, record = new_token(agent, at=ctx.obj["clock"]().isoformat(timespec="seconds"))
    with open_store(ctx.obj["db"]) as store:
        store.save_token(record)
    error(f"token {record.token_id} for agent {agent}: shown once, store it now")
    out.data(text)


@token.command("list")
@output_options(formats=False)
@click.pass_context
@handle_errors
def token_list(ctx: click.Context, out: Output) -> None:
    """List tokens: id, agent, created, revoked (never the token or its digest)."""
    from scanner.store import open_store

    with open_store(ctx.obj["db"]) as store:
        tokens = store.agent_tokens()
    for t in tokens:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        out.data(f"{t.token_id}  {t.agent}  created {t.created_at}  {state}")
    if not tokens:
        out.line("no tokens")


@token.command("revoke")
@click.argument("token_id")
@output_options(formats=False)
@click.pass_context
@handle_errors
def token_revoke(ctx: click.Context, token_id: str, out: Output) -> None:
    """Revoke the token with TOKEN_ID (from `token list`); the collector refuses it at once."""
    from scanner.store import open_store

    with open_store(ctx.obj["db"]) as store:
        done = store.revoke_token(token_id, at=ctx.obj["clock"]().isoformat(timespec="seconds"))
    if not done:
        error(f"error: no active token with id {token_id}")
        sys.exit(EXIT_ERROR)
    out.data(f"revoked {token_id}")
