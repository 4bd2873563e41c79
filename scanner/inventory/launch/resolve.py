"""resolve_launch: a server entry's launch command -> the exact packages it runs. Never executes."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from scanner.errors import LaunchError
from scanner.inventory.launch import container, node, python, script
from scanner.inventory.launch._context import Ctx
from scanner.inventory.launch.argv import (
    Launcher,
    build_argv,
    launcher_of,
    unwrap_cmd,
    unwrap_env,
    unwrap_shell,
)
from scanner.inventory.launch.caches import ToolCaches
from scanner.inventory.launch.remote import add_remote
from scanner.models import Component, Finding, ServerEntry, Skipped


@dataclass(frozen=True, slots=True)
class LaunchResult:
    """What one server's launch resolves to."""

    components: tuple[Component, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    findings: tuple[Finding, ...] = ()


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def resolve_launch(server: ServerEntry, *, caches: ToolCaches | None = None) -> LaunchResult:
    """Resolve ``server``'s command and URL to components, skipped parts and findings.

    Floating versions are looked up in ``caches`` when given. Malformed input becomes a Skipped;
    the only exception this can raise is LaunchError, and only for input it cannot even name.
    """
    ctx = Ctx(server=server, caches=caches, dispatch=_dispatch)
    if server.url is not None:
        if isinstance(server.url, str):
            add_remote(ctx, server.url)
        else:
            ctx.skip(f"url is not a string: {type(server.url).__name__}")
    if server.command is not None or server.args:
        try:
            _dispatch(ctx, build_argv(server.command, server.args))
        except LaunchError as exc:
            ctx.skip(f"cannot understand the launch command: {exc.message}")
    elif server.url is None:
        ctx.skip("server has neither a command nor a URL")
    return LaunchResult(tuple(ctx.components), tuple(ctx.skipped), tuple(ctx.findings))


def _dispatch(ctx: Ctx, argv: list[str]) -> None:
    if not argv or not argv[0]:
        raise LaunchError("empty command")
    launcher = launcher_of(argv[0])
    handler = _HANDLERS.get(launcher) if launcher is not None else None
    if handler is None:
        script.run_binary(ctx, argv)
    else:
        handler(ctx, argv)


def _sub(
    subcommands: dict[str, Callable[[Ctx, list[str]], None]], label: str
) -> Callable[[Ctx, list[str]], None]:
    """A handler for ``<tool> [options] <subcommand> ...``; options before it are kept."""

    def handle(ctx: Ctx, argv: list[str]) -> None:
        for i, word in enumerate(argv[1:], start=1):
            if word in subcommands:
                subcommands[word](ctx, argv[1:i] + argv[i + 1 :])
                return
            if not word.startswith("-"):
                break
        ctx.skip(f"{label} {' '.join(argv[1:3])!r} is not a launch command chainwatch understands")

    return handle


def _exec(runner: node.Runner) -> Callable[[Ctx, list[str]], None]:
    return lambda ctx, words: node.run_exec(ctx, runner, words)


def _shell(ctx: Ctx, argv: list[str]) -> None:
    nested = unwrap_shell(argv)
    if nested is None:
        script.run_node(ctx, argv[1:], label=os.path.basename(argv[0]))  # sh script.sh
    else:
        # "NAME=value cmd": the shell sets NAME for cmd; the command is what follows.
        while len(nested) > 1 and _ASSIGNMENT.match(nested[0]):
            nested = nested[1:]
        ctx.redispatch(nested[1:] if nested[:1] == ["exec"] and len(nested) > 1 else nested)


def _bun(ctx: Ctx, argv: list[str]) -> None:
    if argv[1:2] == ["x"]:
        node.run_exec(ctx, node.BUNX, argv[2:])
    else:
        script.run_bun(ctx, argv[1:])


_HANDLERS: dict[Launcher, Callable[[Ctx, list[str]], None]] = {
    Launcher.NPX: lambda ctx, argv: node.run_exec(ctx, node.NPX, argv[1:]),
    Launcher.NPM: _sub({"exec": _exec(node.NPX), "x": _exec(node.NPX)}, "npm"),
    Launcher.PNPX: lambda ctx, argv: node.run_exec(ctx, node.PNPM_DLX, argv[1:]),
    Launcher.PNPM: _sub({"dlx": _exec(node.PNPM_DLX)}, "pnpm"),
    Launcher.YARN: _sub({"dlx": _exec(node.YARN_DLX)}, "yarn"),
    Launcher.BUNX: lambda ctx, argv: node.run_exec(ctx, node.BUNX, argv[1:]),
    Launcher.BUN: _bun,
    Launcher.UVX: lambda ctx, argv: python.run_uvx(ctx, argv[1:]),
    Launcher.UV: lambda ctx, argv: python.run_uv(ctx, argv[1:]),
    Launcher.PIPX: lambda ctx, argv: python.run_pipx(ctx, argv[1:]),
    Launcher.PYTHON: lambda ctx, argv: script.run_python(ctx, argv[1:]),
    Launcher.NODE: lambda ctx, argv: script.run_node(ctx, argv[1:]),
    Launcher.TSX: lambda ctx, argv: script.run_node(ctx, argv[1:], label="tsx"),
    Launcher.DENO: lambda ctx, argv: script.run_deno(ctx, argv[1:]),
    Launcher.DOCKER: container.run_container,
    Launcher.CMD: lambda ctx, argv: ctx.redispatch(unwrap_cmd(argv)),
    Launcher.SHELL: _shell,
    Launcher.ENV: lambda ctx, argv: ctx.redispatch(unwrap_env(argv)),
}
