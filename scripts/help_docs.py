"""Render every command's --help into README.md between markers (``--write``), or check it.

python scripts/help_docs.py --write    # regenerate
python scripts/help_docs.py            # exit 1 when README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scanner._cli import main  # noqa: E402

BEGIN, END = "<!-- help:begin -->", "<!-- help:end -->"


def _commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
    out = [prefix]
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            out.extend(_commands(command, [*prefix, name]))
        else:
            out.append([*prefix, name])
    return out


def render() -> str:
    """Markdown with one fenced block per command's --help."""
    runner = CliRunner()
    parts = []
    for path in _commands(main, []):
        result = runner.invoke(main, [*path, "--help"], prog_name="chainwatch", terminal_width=100)
        title = " ".join(["chainwatch", *path])
        parts.append(f"#### `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def main_() -> int:
    readme = REPO / "README.md"
    text = readme.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    fresh = f"{head}{BEGIN}\n{render()}{END}{tail}"
    if "--write" in sys.argv:
        readme.write_text(fresh)
        return 0
    if fresh != text:
        print("README.md --help sections are out of date: run `make help-docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main_())
