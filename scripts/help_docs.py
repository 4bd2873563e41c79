"""Render the README's generated sections from the code (``--write``), or check them.

python scripts/help_docs.py --write    # regenerate
python scripts/help_docs.py            # exit 1 when README.md is out of date

Sections, each between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``:

- ``help``: every command's ``--help``;
- ``codes``: every finding code with its default severity (``scanner/checks/codes.py``);
- ``clients``: every MCP client's config locations (``scanner/inventory/configs/clients.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scanner._cli import main  # noqa: E402
from scanner.checks.codes import DEFAULT_SEVERITY, Code  # noqa: E402
from scanner.inventory.configs.clients import CLIENTS, PLATFORMS  # noqa: E402


def _commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
    out = [prefix]
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            out.extend(_commands(command, [*prefix, name]))
        else:
            out.append([*prefix, name])
    return out


def render_help() -> str:
    """Markdown with one fenced block per command's --help."""
    runner = CliRunner()
    parts = []
    for path in _commands(main, []):
        result = runner.invoke(main, [*path, "--help"], prog_name="chainwatch", terminal_width=100)
        title = " ".join(["chainwatch", *path])
        parts.append(f"#### `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def render_codes() -> str:
    """A table of every finding code, its name and its default severity."""
    rows = ["| code | finding | default severity |", "|---|---|---|"]
    for code in Code:
        name = code.name.lower().replace("_", " ")
        rows.append(f"| `{code.value}` | {name} | {DEFAULT_SEVERITY[code].value} |")
    return "\n".join(rows) + "\n"


def render_clients() -> str:
    """A table of every client's config locations, scope and platforms."""
    rows = ["| client | config file | scope | platforms |", "|---|---|---|---|"]
    for spec in CLIENTS.values():
        for where in spec.paths:
            platforms = (
                "all" if where.platforms == PLATFORMS else ", ".join(sorted(where.platforms))
            )
            rows.append(f"| {spec.name} | `{where.template}` | {where.scope.value} | {platforms} |")
    return "\n".join(rows) + "\n"


SECTIONS: dict[str, Callable[[], str]] = {
    "help": render_help,
    "codes": render_codes,
    "clients": render_clients,
}


def refresh(text: str) -> str:
    """``text`` with every generated section rendered afresh."""
    for name, render in SECTIONS.items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        head, found, rest = text.partition(begin)
        if not found:
            raise SystemExit(f"README.md lacks the {begin} marker")
        _, found, tail = rest.partition(end)
        if not found:
            raise SystemExit(f"README.md lacks the {end} marker")
        text = f"{head}{begin}\n{render()}{end}{tail}"
    return text


def main_() -> int:
    readme = REPO / "README.md"
    text = readme.read_text()
    fresh = refresh(text)
    if "--write" in sys.argv:
        readme.write_text(fresh)
        return 0
    if fresh != text:
        print("README.md generated sections are out of date: run `make help-docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main_())
