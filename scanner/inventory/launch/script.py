"""Interpreters running a local file (python, node, deno, bun, tsx) and unknown binaries.

A local script or binary is identified by its content: ``pkg:generic/<file name>?checksum=
sha256:<hex>`` with ``path`` set, evidence ``command_pin`` (the command names the file; the hash is
what it held at scan time). A missing file keeps ``pkg:generic/<file name>?download_url=file:...``,
evidence ``unresolved`` and CW103. An unknown launcher given as a path is hashed the same way when
it exists; a bare name is looked up on PATH only at launch, so it becomes a Skipped.
"""

from __future__ import annotations

from scanner.inventory.launch._context import Ctx
from scanner.inventory.launch._files import (
    candidates,
    expand,
    find_file,
    has_separator,
    local_component,
)
from scanner.inventory.launch.node import add_npm
from scanner.inventory.launch.remote import add_remote

_PY_VALUES = frozenset({"-X", "-W", "--check-hash-based-pycs"})
_NODE_VALUES = frozenset(
    {"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
     "--env-file", "--input-type", "--title", "--inspect-port", "--stack-size"}
)  # fmt: skip
_NODE_INLINE = frozenset({"-e", "--eval", "-p", "--print"})
_DENO_VALUES = frozenset(
    {"-c", "--config", "--import-map", "--lock", "--cert", "--location", "--seed", "--env-file",
     "--ext", "--v8-flags", "--inspect", "--inspect-brk", "--inspect-wait"}
)  # fmt: skip
_DENO_SUBCOMMANDS = frozenset({"run", "serve", "task", "x", "eval", "repl", "install"})
_BUN_VALUES = frozenset({"--cwd", "--env-file", "-r", "--preload", "--config", "-c"})


def add_script(ctx: Ctx, raw: str) -> None:
    """A local script file named in a command."""
    local_component(ctx, raw)


def run_python(ctx: Ctx, words: list[str]) -> None:
    """``python [options] script.py | -m module | -c code``."""
    i = 0
    while i < len(words):
        word = words[i]
        if word in _PY_VALUES:
            i += 2
        elif word == "-m" or (word.startswith("-m") and not word.startswith("--")):
            module = words[i + 1] if word == "-m" and i + 1 < len(words) else word[2:]
            if module in {"uv", "pipx"}:
                ctx.redispatch([module, *words[i + 2 :]])
            else:
                ctx.skip(f"python -m {module}: module not mapped to a distribution")
            return
        elif word == "-c" or (word.startswith("-c") and not word.startswith("--")):
            ctx.skip("python -c: inline code has no package identity")
            return
        elif word == "-":
            ctx.skip("python reads its program from stdin")
            return
        elif word.startswith("-"):
            i += 1
        else:
            add_script(ctx, word)
            return
    ctx.skip("python without a script")


def run_node(ctx: Ctx, words: list[str], *, label: str = "node") -> None:
    """``node [options] script.js`` (also tsx / ts-node)."""
    i = 0
    while i < len(words):
        word = words[i]
        key = word.split("=", 1)[0]
        if key in _NODE_INLINE:
            ctx.skip(f"{label} {key}: inline code has no package identity")
            return
        if word in _NODE_VALUES:
            i += 2
        elif word == "--":
            i += 1
            if i < len(words):
                add_script(ctx, words[i])
                return
        elif word.startswith("-"):
            i += 1
        else:
            add_script(ctx, word)
            return
    ctx.skip(f"{label} without a script")


def run_deno(ctx: Ctx, words: list[str]) -> None:
    """``deno [run] [options] <script | npm:pkg@ver | https://...>``."""
    if words and words[0] in _DENO_SUBCOMMANDS:
        if words[0] != "run":
            ctx.skip(f"deno {words[0]} is not a launch command chainwatch understands")
            return
        words = words[1:]
    i = 0
    while i < len(words):
        word = words[i]
        if word in _DENO_VALUES:
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            _deno_target(ctx, word)
            return
    ctx.skip("deno without a script")


def _deno_target(ctx: Ctx, target: str) -> None:
    if target.startswith("npm:"):
        spec = target[4:]
        # npm:@scope/name@1.2.3/sub/path -> drop the sub path after the package spec
        parts = spec.split("/")
        keep = 2 if spec.startswith("@") else 1
        add_npm(ctx, "/".join(parts[:keep]))
    elif target.startswith("jsr:"):
        ctx.skip(f"deno {target}: JSR packages have no package URL type yet")
    elif "://" in target:
        add_remote(ctx, target, via="deno")
    else:
        add_script(ctx, target)


def run_bun(ctx: Ctx, words: list[str]) -> None:
    """``bun [run] [options] <script>`` (``bun x`` is handled as bunx by the dispatcher)."""
    if words[:1] == ["run"]:
        words = words[1:]
    i = 0
    while i < len(words):
        word = words[i]
        if word in _BUN_VALUES:
            i += 2
        elif word.startswith("-"):
            i += 1
        elif has_separator(word) or "." in word:
            add_script(ctx, word)
            return
        else:
            ctx.skip(f"bun {word!r}: a package.json script or project binary")
            return
    ctx.skip("bun without a script")


def run_binary(ctx: Ctx, argv: list[str]) -> None:
    """An unknown launcher: hash it when given as a path that exists, else skip it."""
    command = argv[0]
    if has_separator(command) or command.startswith("~"):
        expanded = expand(ctx, command)
        if expanded is not None and find_file(candidates(ctx, expanded))[1] is not None:
            local_component(ctx, command, what="local binary")
        else:
            ctx.skip(f"unknown launcher {command!r}: not a known package runner and not found")
        return
    ctx.skip(
        f"unknown launcher {command!r}: resolved on PATH at launch; chainwatch does not search PATH"
    )
