"""``proxy``: run an MCP stdio server behind chainwatch; put client configs behind it and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner._cli.root import handle_errors, main
from scanner._output import Output, output_options


class _ProxyGroup(click.Group):
    """``proxy [OPTIONS] -- COMMAND...`` runs the proxy; ``install``/``uninstall`` edit configs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Anything that is not a subcommand is the ``run`` subcommand's options and command."""
        if args and args[0] not in self.commands and args != ["--help"]:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_ProxyGroup)
def proxy() -> None:
    """Run an MCP stdio server behind chainwatch: `chainwatch proxy --agent NAME -- COMMAND...`.

    Options and COMMAND without a subcommand name go to `proxy run`.
    """


@proxy.command("run")
@click.option("--agent", required=True, help="The agent whose client launches this server.")
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="chainwatch.toml declaring the agent's pact (the action classes it may call).",
)
@click.option("--component", help="Package URL of the server (default: from its serverInfo).")
@click.option(
    "--enforce", is_flag=True, help="Refuse calls outside the pact and to rug-pulled tools."
)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite store.")
@click.option("--no-record", is_flag=True, help="Pin nothing and record nothing.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@output_options(formats=False)
@click.pass_context
@handle_errors
def proxy_run(
    ctx: click.Context,
    agent: str,
    manifest: Path | None,
    component: str | None,
    enforce: bool,
    db: Path | None,
    no_record: bool,
    command: tuple[str, ...],
    out: Output,
) -> None:
    """Start COMMAND (the server) and relay stdio between it and the client, watching tools.

    Every byte is forwarded at once; a copy is parsed off the forwarding path. Tool lists are
    pinned by component and version; a changed definition under the same version is a rug pull.
    stdout carries the protocol: a session summary is written only with -o FILE.
    """
    from scanner.proxy import ProxyOptions, run_proxy
    from scanner.proxy.pact import agent_pact

    pact = agent_pact(manifest, agent, required=enforce) if manifest or enforce else None
    options = ProxyOptions(
        agent=agent,
        command=command,
        db=db or ctx.obj["db"],
        component=component,
        pact=pact,
        enforce=enforce,
        record=not no_record,
    )
    status, observer = run_proxy(options, lambda: ctx.obj["clock"]().isoformat(timespec="seconds"))
    if out.stream is not sys.stdout:  # never write text into the client's protocol stream
        from scanner.proxy.summary import summary_lines

        for line in summary_lines(observer.session, verbose=out.options.verbose):
            out.data(line)
    sys.exit(status)


@proxy.command("install")
@click.argument("config", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--agent", required=True, help="The agent name the proxy records events under.")
@click.option("--enforce", is_flag=True, help="Run each server's proxy with --enforce.")
@click.option(
    "--manifest", type=click.Path(path_type=Path, dir_okay=False), help="Passed to the proxy."
)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="Passed to the proxy.")
@click.option(
    "--proxy-command",
    default="chainwatch",
    show_default=True,
    help="How the client starts chainwatch (split on spaces), e.g. '/venv/bin/chainwatch'.",
)
@output_options(formats=False)
@handle_errors
def proxy_install(
    config: Path,
    agent: str,
    enforce: bool,
    manifest: Path | None,
    db: Path | None,
    proxy_command: str,
    out: Output,
) -> None:
    """Rewrite CONFIG (JSON, JSONC, TOML or YAML) so each stdio server runs behind the proxy.

    The original bytes are kept beside it (CONFIG.chainwatch-backup, 0600); a second install is
    refused. Only server names are printed: env values and args may hold secrets.
    """
    from scanner.proxy.install import InstallPlan, install, plan_options
    from scanner.report.text import reveal

    options = plan_options(enforce=enforce, manifest=manifest, db=db)
    plan = InstallPlan(agent, tuple(proxy_command.split()), options)
    result = install(config, plan)
    for name in result.wrapped:
        out.data(f"wrapped  {reveal(name)}")
    for name, reason in result.left:
        out.data(f"left     {reveal(name)}: {reason}")
    out.data(f"backup:  {result.backup}")


@proxy.command("uninstall")
@click.argument("config", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Restore the backup even if CONFIG changed since.")
@output_options(formats=False)
@handle_errors
def proxy_uninstall(config: Path, force: bool, out: Output) -> None:
    """Restore CONFIG byte for byte from the backup install made, and remove the backup."""
    from scanner.proxy.install import uninstall

    backup = uninstall(config, force=force)
    out.data(f"restored {config} from {backup.name}")
