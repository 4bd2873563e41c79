"""The command group, its exit codes and the options its commands share.

Exit codes: 0 clean; 1 the gate tripped (scanner/checks/gate.py: a component not checked and not
allowed, a finding at or above --fail-on, or a component not verified under --require-verified);
2 usage error; 3 chainwatch could not run (store, trust root,
...); 4 the run completed but some inputs could not be read (reported with the reason).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from attestations.errors import AttestationError
from scanner._output import error
from scanner.clock import real_sleep, utc_now
from scanner.errors import ChainwatchError
from scanner.inventory.configs.clients import ClientId
from scanner.models import Severity

if TYPE_CHECKING:
    from rich.console import Console

    from scanner.inventory.build import InventoryOptions
    from scanner.models import Inventory
    from scanner.store.target import StoreTarget


# Start-up must stay instant (`chainwatch --version`, `chainwatch inventory`): sigstore, httpx,
# sqlite-utils and rich load inside the commands that need them, never at import time
# (tests/cli/test_lazy_imports.py, bench/bench_startup.py).


EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2, 3, 4

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn the project's own errors into a diagnostics text and exit code 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ChainwatchError, AttestationError) as exc:
            error(f"error: {exc.diagnostics()}")  # may quote untrusted text: cleaned, one line each
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def verification_options(func: F) -> F:
    """``--cache-dir`` and ``--trust-root``: the options of every command that verifies."""
    func = click.option(
        "--trust-root",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        default=None,
        help="Sigstore trusted_root.json to verify with (default: the pinned production root).",
    )(func)
    return click.option(
        "--cache-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="HTTP and verification cache (default: the user cache folder).",
    )(func)


def inventory_options(func: F) -> F:
    """Options shared by every command that reads agents."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--discover", is_flag=True, help="Also find MCP client configs on this machine."
        ),
        click.option(
            "--home",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Home folder to discover from (default: the current user's).",
        ),
        click.option(
            "--project",
            "projects",
            multiple=True,
            type=click.Path(path_type=Path, file_okay=False),
            help="Project folder whose project-scope configs to discover (repeatable).",
        ),
        click.option(
            "--system-root",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Root folder of managed (system-wide) configs when discovering (default: /).",
        ),
        click.option(
            "--client",
            type=click.Choice(sorted(c.value for c in ClientId)),
            default=None,
            help="Read the config files named in PATHS as this client's (default: tell by "
            "file name and content).",
        ),
        click.option("--no-record", is_flag=True, help="Do not record this run in the store."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


class StoreParam(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """``--db``: an SQLite file path or a ``postgresql://`` URL (shown redacted, never whole)."""

    name = "PATH|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """A Path, or a PostgresURL whose text is the redacted URL."""
        from scanner.store.target import parse_target

        try:
            return parse_target(value)
        except ChainwatchError as exc:
            self.fail(exc.message, param, ctx)


@click.group()
@click.version_option(package_name="chainwatch")
@click.option(
    "--db",
    type=StoreParam(),
    envvar="CHAINWATCH_DB",
    help="The store: an SQLite file, or a postgresql://USER@HOST/DB URL (give the password "
    "in CHAINWATCH_DB or ~/.pgpass rather than on the command line). Default: chainwatch.db "
    "in the user data folder; env CHAINWATCH_DB.",
)
@click.pass_context
def main(ctx: click.Context, db: StoreTarget | None) -> None:
    """chainwatch: guard the supply chain of AI agents.

    Inventories every agent's MCP servers and tool packages, verifies what they run against
    registries and sigstore attestations, and records each scan in a SQLite baseline.
    """
    # Tests pass obj={"clock": ..., "sleep": ...} through click; otherwise the real ones.
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj.setdefault("clock", utc_now)
    ctx.obj.setdefault("sleep", real_sleep)  # between registry retries


def options_for(
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    system_root: Path | None,
    client: str | None = None,
) -> InventoryOptions:
    from scanner.inventory.build import InventoryOptions

    return InventoryOptions(
        discover=discover,
        home=home or Path.home(),
        project_dirs=tuple(projects) or ((Path.cwd(),) if discover else ()),
        system_root=system_root,
        client=client,
    )


def has_errors(inv: Inventory) -> bool:
    return bool(inv.errors) or any(a.errors for a in inv.agents)


@contextlib.contextmanager
def progress_bar(
    console: Console | None, *, enabled: bool
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long verification runs (only on a terminal)."""
    if not enabled or console is None or not console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("verifying", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def severity_choice() -> click.Choice[str]:
    """The --fail-on choices."""
    return click.Choice([s.value for s in Severity] + ["never"])
