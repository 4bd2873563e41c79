"""The output options every command shares (-o/--output, -q, -v, and --format where it applies).

``output_options`` is a decorator: it adds the options, opens the output file, and hands the
command one ``Output`` that knows the stream, the width, whether to colour and which report
format to use. Errors always go to stderr, cleaned of control characters, never into the report.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from scanner.models import Inventory
from scanner.report.formats import report_for
from scanner.report.interface import RESULT_ONLY, Report, ReportFormat, ReportOptions
from scanner.report.text import clean, safe, wrap

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_WIDTH = 80  # what CI logs get when nothing says otherwise


@dataclass(frozen=True, slots=True)
class Output:
    """Where and how a command writes: the stream, the report format and its layout options."""

    stream: TextIO
    fmt: ReportFormat
    options: ReportOptions

    @property
    def report(self) -> Report:
        """The report object for the chosen format."""
        return report_for(self.fmt, self.options)

    def line(self, text: str) -> None:
        """One line of plain (cleaned) text for the text format; nothing in JSON or under -q."""
        if self.fmt is ReportFormat.TABLE and not self.options.quiet:
            for line in wrap(clean(text).split(" "), self.options.width):
                self.stream.write(line + "\n")

    def data(self, text: str) -> None:
        """One entry of the command's result (always written, cleaned, wrapped at spaces)."""
        line = clean(text)
        if len(line) > self.options.width:  # aligned columns stay as they are when they fit
            line = "\n".join(wrap(line.split(" "), self.options.width, indent=4))
        self.stream.write(line + "\n")


def error(text: str) -> None:
    """An error on stderr, redacted and cleaned: a newline in a file name cannot start a line.

    Only the hint that diagnostics() appends gets a line of its own.
    """
    message, *hints = text.split(_HINT)
    click.echo(safe(message), err=True)
    for hint in hints:
        click.echo(_HINT.lstrip("\n") + safe(hint), err=True)


_HINT = "\n  hint: "


def inventory_errors(inventory: Inventory) -> None:
    """Every input that could not be read, on stderr (a missing file is not an empty table)."""
    for ai in inventory.agents:
        for e in ai.errors:
            error(f"error: {ai.agent.id}: {e}")
    for e in inventory.errors:
        error(f"error: {e}")


def _width(to_file: bool) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= 20:
        return int(columns)
    if not to_file and sys.stdout.isatty():
        import shutil  # a terminal only: shutil loads bz2, lzma and zlib with it

        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def _color(to_file: bool) -> bool:
    if to_file or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def output_options(*, formats: bool = True, results: bool = False) -> Callable[[F], F]:
    """Add -o/--output, -q/--quiet, -v/--verbose (and --format) and pass ``out: Output``.

    ``results``: the command writes scan results, so SARIF, Markdown and CycloneDX are offered.
    """
    choices = [f.value for f in ReportFormat if results or f not in RESULT_ONLY]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            path: Path | None = kwargs.pop("output")
            quiet: bool = kwargs.pop("quiet")
            verbose: bool = kwargs.pop("verbose")
            fmt = ReportFormat(kwargs.pop("fmt", ReportFormat.TABLE.value))
            if quiet and verbose:
                raise click.UsageError("-q and -v cannot be used together")
            options = ReportOptions(
                width=_width(path is not None),
                color=_color(path is not None),
                quiet=quiet,
                verbose=verbose,
            )
            if path is None:
                return func(*args, out=Output(sys.stdout, fmt, options), **kwargs)
            try:
                stream = path.open("w", encoding="utf-8")
            except OSError as exc:
                raise click.FileError(str(path), exc.strerror or str(exc)) from exc
            with stream:
                return func(*args, out=Output(stream, fmt, options), **kwargs)

        stack: Iterable[Callable[[Any], Any]] = [
            click.option(
                "-o",
                "--output",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="Write the report to FILE instead of stdout.",
            ),
            click.option("-q", "--quiet", is_flag=True, help="Print only findings and counts."),
            click.option(
                "-v", "--verbose", is_flag=True, help="Print every row and every detail in full."
            ),
        ]
        if formats:
            stack = [
                click.option(
                    "--format",
                    "fmt",
                    type=click.Choice(choices),
                    default=ReportFormat.TABLE.value,
                    show_default=True,
                    help="Output format.",
                ),
                *stack,
            ]
        decorated: Any = wrapper
        for option in reversed(list(stack)):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate
