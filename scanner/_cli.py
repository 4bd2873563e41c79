"""Thin click layer: options -> calls -> output, exit codes.

Exit codes: 0 clean; 1 the gate tripped (scanner/checks/gate.py: a component not checked and not
allowed, a finding at or above --fail-on, or a component not verified under --require-verified);
2 usage error; 3 chainwatch could not run (store, trust root,
...); 4 the run completed but some inputs could not be read (reported with the reason).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import sysconfig
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from attestations.errors import AttestationError
from scanner._output import Output, error, inventory_errors, output_options
from scanner.clock import utc_now
from scanner.errors import ChainwatchError
from scanner.inventory.clients import ClientId
from scanner.limits import COMPONENT_DEADLINE, REQUEST_DEADLINE
from scanner.models import Severity

if TYPE_CHECKING:
    from rich.console import Console

    from attestations.result import PublisherIdentity
    from scanner.checks.gate import GatePolicy
    from scanner.inventory.build import InventoryOptions
    from scanner.models import Inventory
    from scanner.scan import ScanOptions, ScanResult

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


@click.group()
@click.version_option(package_name="chainwatch")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_DB",
    help="SQLite store (default: chainwatch.db in the user data folder; env CHAINWATCH_DB).",
)
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """chainwatch: guard the supply chain of AI agents.

    Inventories every agent's MCP servers and tool packages, verifies what they run against
    registries and sigstore attestations, and records each scan in a SQLite baseline.
    """
    # Tests pass obj={"clock": ..., "sleep": ...} through click; otherwise the real ones.
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj.setdefault("clock", utc_now)
    ctx.obj.setdefault("sleep", asyncio.sleep)  # between registry retries


def _options(
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


@main.command()
@inventory_options
@output_options()
@click.pass_context
@handle_errors
def inventory(
    ctx: click.Context,
    paths: tuple[Path, ...],
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    system_root: Path | None,
    client: str | None,
    out: Output,
    no_record: bool,
) -> None:
    """List agents -> MCP servers -> components, with version evidence.

    PATHS are agent manifests (chainwatch.toml or a folder holding one), MCP client configs, or
    lockfiles. Nothing is executed and nothing is fetched.
    """
    from scanner.inventory.build import build_inventory
    from scanner.record import run_inventory
    from scanner.store import Store

    if not paths and not discover:
        raise click.UsageError("name at least one path, or pass --discover")
    inv = build_inventory(list(paths), _options(discover, home, projects, system_root, client))
    scan_id = None
    if not no_record:
        with Store.open(ctx.obj["db"]) as store:
            inputs = {"paths": [str(p) for p in paths], "discover": discover}
            scan_id = run_inventory(inv, store, inputs=inputs, clock=ctx.obj["clock"])
    inventory_errors(inv)
    out.report.inventory(inv, out.stream, scan_id=scan_id)
    sys.exit(EXIT_PARTIAL if _has_errors(inv) else EXIT_OK)


@main.command()
@click.option("--limit", default=20, show_default=True, help="How many scans to list.")
@output_options(formats=False)
@click.pass_context
@handle_errors
def scans(ctx: click.Context, limit: int, out: Output) -> None:
    """List recorded scans, newest first."""
    from scanner.store import Store

    with Store.open(ctx.obj["db"]) as store:
        for row in store.scans(limit):
            summary = ", ".join(f"{k}={n}" for k, n in row.summary.items())
            out.data(f"{row.id:>5}  {row.kind:<10} {row.started_at}  {summary}")


@contextlib.contextmanager
def _progress(console: Console, *, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long verification runs (only on a terminal)."""
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("verifying", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _has_errors(inv: Inventory) -> bool:
    return bool(inv.errors) or any(a.errors for a in inv.agents)


def severity_choice() -> click.Choice[str]:
    """The --fail-on choices."""
    return click.Choice([s.value for s in Severity] + ["never"])


@main.command()
@inventory_options
@click.option("--offline", is_flag=True, help="Use only cached registry answers; report the rest.")
@click.option("--download", is_flag=True, help="Also download artifacts and check their digests.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="HTTP and verification cache (default: the user cache folder).",
)
@click.option(
    "--request-deadline",
    type=click.FloatRange(min=0.1),
    default=REQUEST_DEADLINE,
    show_default=True,
    help="Seconds one registry request may take, however slowly its bytes arrive.",
)
@click.option(
    "--component-deadline",
    type=click.FloatRange(min=0.1),
    default=COMPONENT_DEADLINE,
    show_default=True,
    help="Seconds one component's verification may take, retries included; then fetch-failed.",
)
@click.option(
    "--trust-root",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Sigstore trusted_root.json to verify with (default: the pinned production root).",
)
@click.option(
    "--fail-on",
    type=severity_choice(),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--require-verified",
    is_flag=True,
    help="Exit 1 unless every registry package is verified.",
)
@click.option(
    "--allow-unchecked",
    is_flag=True,
    help="Do not fail on components that could not be checked (they are still reported).",
)
@click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="NAME",
    help="Do not fail on this unchecked component: a name, package URL or server URL (repeatable).",
)
@click.option(
    "--audit",
    is_flag=True,
    help="Also audit every package for vulnerabilities and malware (OSV; with --offline, the "
    "database `db import-osv` filled). An audit that cannot complete fails like an unchecked "
    "component.",
)
@click.option(
    "--osv-db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_OSV_DB",
    help="Offline OSV database for --audit --offline (default: osv.db in the user data folder).",
)
@output_options()
@click.pass_context
@handle_errors
def scan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    discover: bool,
    home: Path | None,
    projects: tuple[Path, ...],
    system_root: Path | None,
    client: str | None,
    no_record: bool,
    offline: bool,
    download: bool,
    cache_dir: Path | None,
    request_deadline: float,
    component_deadline: float,
    trust_root: Path | None,
    fail_on: str,
    require_verified: bool,
    allow_unchecked: bool,
    allow: tuple[str, ...],
    audit: bool,
    osv_db: Path | None,
    out: Output,
) -> None:
    """Inventory, then verify every component against its registry and sigstore.

    Each component ends in exactly one state: verified (with the publisher identity),
    attestation-invalid, no-attestation, registry-signed, digest-mismatch, unresolved or
    fetch-failed. Only verified is a pass. A component that could not be checked (unresolved,
    fetch-failed) fails the run unless allowed with --allow-unchecked or --allow NAME.
    """
    from scanner.audit.setup import AuditSettings
    from scanner.checks.gate import GatePolicy
    from scanner.scan import ScanOptions

    if not paths and not discover:
        raise click.UsageError("name at least one path, or pass --discover")
    options = ScanOptions(
        offline=offline,
        download=download,
        cache_dir=cache_dir,
        trust_root=trust_root,
        request_deadline=request_deadline,
        component_deadline=component_deadline,
        clock=ctx.obj["clock"],
        sleep=ctx.obj["sleep"],
        audit=AuditSettings(offline=offline, osv_db=osv_db, cache_dir=cache_dir) if audit else None,
    )
    inv_options = _options(discover, home, projects, system_root, client)
    policy = GatePolicy(
        fail_on=None if fail_on == "never" else Severity(fail_on),
        require_verified=require_verified,
        allow_unchecked=allow_unchecked,
        allow=frozenset(allow),
    )
    result = _scan(ctx, paths, inv_options, options, out, no_record, policy)
    sys.exit(0 if result.gate is None else result.gate.exit_code)


def _scan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    inv_options: InventoryOptions,
    options: ScanOptions,
    out: Output,
    no_record: bool,
    policy: GatePolicy,
) -> ScanResult:
    from rich.console import Console

    from scanner.inventory.build import build_inventory
    from scanner.scan import run_scan
    from scanner.store import Store

    inv = build_inventory(list(paths), inv_options)
    inputs = {
        "paths": [str(p) for p in paths],
        "discover": inv_options.discover,
        "offline": options.offline,
        "download": options.download,
    }
    err = Console(stderr=True)
    with _progress(err, enabled=not out.options.quiet and out.fmt == "table") as progress:
        if no_record:
            result = run_scan(inv, None, options, inputs=inputs, progress=progress)
        else:
            with Store.open(ctx.obj["db"]) as store:
                result = run_scan(inv, store, options, inputs=inputs, progress=progress)
    inventory_errors(inv)
    result = _with_gate(result, policy)
    _print_scan(result, out)
    return result


def _with_gate(result: ScanResult, policy: GatePolicy) -> ScanResult:
    from scanner.checks.gate import decide

    unreadable = sum(len(a.errors) for a in result.inventory.agents) + len(result.inventory.errors)
    gate = decide(result.verdicts.values(), result.findings, policy, unreadable_inputs=unreadable)
    return replace(result, gate=gate)


def _print_scan(result: ScanResult, out: Output) -> None:
    """The report; in text, then the gate's last lines: what was not checked, what tripped."""
    from scanner.checks.gate import GateDecision
    from scanner.report.text import safe, wrap

    out.report.scan(result, out.stream)
    if out.fmt == "table" and isinstance(result.gate, GateDecision):
        for line in result.gate.lines():
            # Names come from configs: redacted and cleaned; wrapped under their own indent.
            body = line.lstrip(" ")
            lead = " " * (len(line) - len(body))
            words = safe(body).split(" ")
            for part in wrap(words, out.options.width, first=lead, indent=len(lead) + 4):
                out.stream.write(part + "\n")


@main.command()
@click.option(
    "--store",
    "demo_db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The demo's own SQLite store (default: chainwatch-demo.db in the user data folder).",
)
@output_options()
@handle_errors
def demo(demo_db: Path | None, out: Output) -> None:
    """Scan the bundled demo fleet against the bundled loopback registry (no outside network).

    The demo keeps its own store, never the one of --db or CHAINWATCH_DB, so its fixture
    publishers never enter your trust list. Run it twice to see the baseline at work.
    """
    from rich.console import Console

    from scanner.checks.gate import GatePolicy
    from scanner.demo import default_demo_db_path, run_demo
    from scanner.store import Store

    db = demo_db or default_demo_db_path()
    with (
        Store.open(db) as store,
        _progress(Console(stderr=True), enabled=out.fmt == "table") as bar,
    ):
        result = run_demo(store, progress=bar)
    _print_scan(_with_gate(result, GatePolicy()), out)
    out.line(
        f"demo store: {db}; the gate above is what `chainwatch scan` would decide with its defaults"
    )


@main.command("verify-env")
@click.argument(
    "path",
    required=False,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
)
@output_options()
@handle_errors
def verify_env(path: Path | None, out: Output) -> None:
    """Check an installed Python environment's files against their RECORD.

    PATH is a site-packages folder (default: this interpreter's). Exit 1 when any installed file
    differs from, is missing from, or is not covered by its distribution's RECORD.
    """
    from attestations.record import verify_environment

    site = path or Path(sysconfig.get_paths()["purelib"])
    reports = verify_environment(site)
    bad = [r for r in reports if not r.ok]
    out.report.verify_env(site, reports, out.stream)
    sys.exit(EXIT_GATE if bad or not reports else EXIT_OK)


@main.group("trust-root")
def trust_root() -> None:
    """Inspect or refresh the sigstore trusted root used for offline verification."""


@trust_root.command("status")
@click.option(
    "--path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A trusted_root.json to judge (default: the one scans use).",
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def trust_root_status(ctx: click.Context, path: Path | None, out: Output) -> None:
    """Show which trusted root scans use, its digest, age and problems. Exit 1 when unusable."""
    from attestations.trustroot import check_trusted_root, default_root_path

    status = check_trusted_root(path or default_root_path(), now=ctx.obj["clock"]())
    out.data(f"path:    {status.path}")
    out.data(f"sha256:  {status.sha256}")
    out.data(f"fetched: {status.fetched_at or 'unknown (shipped with chainwatch)'}")
    for w in status.warnings:
        out.data(f"warning: {w}")
    for p in status.problems:
        out.data(f"problem: {p}")
    sys.exit(EXIT_OK if status.usable else EXIT_GATE)


@trust_root.command("refresh")
@output_options(formats=False)
@handle_errors
def trust_root_refresh(out: Output) -> None:
    """Fetch the current trusted root through Sigstore's TUF repository (needs the network)."""
    from attestations.trustroot import default_cache_dir, refresh_trusted_root

    path = refresh_trusted_root(default_cache_dir())
    out.data(f"refreshed: {path}")


@main.group()
def trust() -> None:
    """Manage remembered publisher identities (trust on first use)."""


@trust.command("list")
@click.option("--history", is_flag=True, help="Also list who was trusted when, and by what.")
@output_options(formats=False)
@click.pass_context
@handle_errors
def trust_list(ctx: click.Context, history: bool, out: Output) -> None:
    """List every package's remembered publisher identity."""
    from scanner.store import Store

    with Store.open(ctx.obj["db"]) as store:
        for known in store.publisher_identities():
            ident = known.identity.describe() if known.identity else "(no attestation)"
            pin = "  [pinned]" if known.pinned else ""
            out.data(f"{known.purl_key}  {known.last_version or '-'}  {ident}{pin}")
        if history:
            out.data("history:")
            for e in store.identity_history():
                ident = e.identity.describe() if e.identity else "(no attestation)"
                by = f"scan #{e.scan_id}" if e.scan_id is not None else "trust command"
                out.data(f"  {e.at}  {e.purl_key}  {e.action.value:<10} {ident}  ({by})")


def _identity_option(func: F) -> F:
    return click.option(
        "--identity",
        "identity_text",
        metavar="FIELD=VALUE,...",
        default=None,
        help="The publisher identity, e.g. kind=github,repository=https://github.com/o/r,"
        "workflow=.github/workflows/release.yml",
    )(func)


def _parse_identity(text: str) -> PublisherIdentity:
    from scanner.baseline import parse_identity

    try:
        return parse_identity(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--identity") from exc


def _described(identity: PublisherIdentity | None) -> str:
    return identity.describe() if identity is not None else "(no attestation)"


@trust.command("accept")
@click.argument("package")
@_identity_option
@output_options(formats=False)
@click.pass_context
@handle_errors
def trust_accept(ctx: click.Context, package: str, identity_text: str | None, out: Output) -> None:
    """Trust PACKAGE's publisher from now on: the identity given, or the one last seen.

    PACKAGE is a package URL without version, e.g. pkg:npm/mcp-remote. Without --identity, the
    identity the most recent scan saw is taken, and printed.
    """
    from scanner.store import IdentityAction, Store

    with Store.open(ctx.obj["db"]) as store:
        version = None
        identity: PublisherIdentity | None
        if identity_text is not None:
            identity = _parse_identity(identity_text)
        else:
            seen = store.last_seen(package)
            if seen is None:
                raise ChainwatchError(
                    f"no scan has checked {package}",
                    hint="scan it first, or name the publisher with --identity",
                )
            identity, version = seen.identity, seen.purl.rsplit("@", 1)[-1]
        before = store.publisher_identity(package)
        store.set_identity(
            package,
            identity,
            action=IdentityAction.ACCEPTED,
            at=ctx.obj["clock"]().isoformat(timespec="seconds"),
            version=version,
            pinned=before.pinned if before is not None else False,  # accepting keeps a pin a pin
        )
    was = _described(before.identity) if before is not None else "-"
    out.data(f"accepted for {package}: {_described(identity)}")
    out.data(f"  (was: {was})")


@trust.command("pin")
@click.argument("package")
@_identity_option
@output_options(formats=False)
@click.pass_context
@handle_errors
def trust_pin(ctx: click.Context, package: str, identity_text: str | None, out: Output) -> None:
    """Expect PACKAGE to be published by --identity, before any scan; scans never change a pin.

    A release attested by anyone else, or not attested, is a high finding.
    """
    if identity_text is None:
        raise click.UsageError("trust pin needs --identity")
    identity = _parse_identity(identity_text)
    from scanner.store import IdentityAction, Store

    with Store.open(ctx.obj["db"]) as store:
        store.set_identity(
            package,
            identity,
            action=IdentityAction.PINNED,
            at=ctx.obj["clock"]().isoformat(timespec="seconds"),
            pinned=True,
        )
    out.data(f"pinned {package}: {identity.describe()}")


@main.group()
def tools() -> None:
    """Pin MCP tool definitions and check them for rug pulls and poisoning."""


@tools.command("scan")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--component",
    required=True,
    help="Package URL with version of the server that listed the tools, e.g. "
    "pkg:npm/%40scope/server@1.2.3 (pins are keyed by it, not by the server's name).",
)
@click.option(
    "--other-tools",
    "other_tools",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A tool list of another server of the same agent, for shadowing checks (repeatable).",
)
@click.option("--accept", is_flag=True, help="Replace this version's pin with these tools.")
@click.option("--no-record", is_flag=True, help="Check only: read no pins and write none.")
@click.option(
    "--fail-on",
    type=severity_choice(),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@output_options()
@click.pass_context
@handle_errors
def tools_scan(
    ctx: click.Context,
    file: Path,
    component: str,
    other_tools: tuple[Path, ...],
    accept: bool,
    no_record: bool,
    fail_on: str,
    out: Output,
) -> None:
    """Pin and check a captured tools/list result FILE statically (the server is not run).

    FILE holds {"tools": [...]}, a bare list of tools, one tool object or a JSON-RPC response.
    The first sight of a component version pins its tools; later runs compare: a changed
    definition at the same version is a rug pull, with a new version a change to review.
    """
    from scanner.report.text import reveal
    from scanner.store import Store
    from scanner.tools.run import run_tool_scan

    at = ctx.obj["clock"]().isoformat(timespec="seconds")
    if no_record:
        result = run_tool_scan(file, component, None, other_lists=other_tools, at=at)
    else:
        with Store.open(ctx.obj["db"]) as store:
            result = run_tool_scan(
                file, component, store, accept=accept, other_lists=other_tools, at=at
            )
    out.report.tool_scan(result, out.stream)
    for s in result.skipped:
        error(f"error: {file}: skipped {reveal(s.subject)}: {reveal(s.reason)}")
    if fail_on != "never" and any(
        f.severity.rank >= Severity(fail_on).rank for f in result.findings
    ):
        sys.exit(EXIT_GATE)
    sys.exit(EXIT_PARTIAL if result.skipped else EXIT_OK)


@main.group("db")
def db_group() -> None:
    """Manage the offline advisory database used by scans with --offline."""


@db_group.command("import-osv")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--osv-db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CHAINWATCH_OSV_DB",
    help="Offline OSV database (default: osv.db in the user data folder; env CHAINWATCH_OSV_DB).",
)
@output_options(formats=False)
@click.pass_context
@handle_errors
def db_import_osv(ctx: click.Context, path: Path, osv_db: Path | None, out: Output) -> None:
    """Import OSV records from an all.zip dump or a folder of .json files (streamed, atomic).

    Records replace earlier ones with the same id; malformed records are skipped and named.
    """
    from scanner.audit.osv_db import default_osv_db_path, import_osv

    target = osv_db or default_osv_db_path()
    report = import_osv(target, path, now=ctx.obj["clock"]().isoformat(timespec="seconds"))
    for skipped in report.skipped:
        error(f"warning: {skipped}")
    out.data(f"database:  {target}")
    out.data(f"read:      {report.read}")
    out.data(f"imported:  {report.imported} ({report.replaced} replaced earlier records)")
    out.data(f"other ecosystems (not stored): {report.other_ecosystems}")
    out.data(f"skipped as malformed: {len(report.skipped)}")


@main.group()
def events() -> None:
    """Runtime events from the in-process hook (scanner.runtime)."""


@events.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@output_options(formats=False)
@click.pass_context
@handle_errors
def events_import(ctx: click.Context, file: Path, out: Output) -> None:
    """Load FILE (JSON Lines of runtime events, or a hook's spool) into the store.

    Each line is checked against the event schema and redacted. A bad line is reported with its
    number and skipped; the rest loads in one transaction (exit 4 when a line was bad). Events
    are keyed by (batch_id, seq): a batch imported twice is stored once.
    """
    from scanner.events.importer import import_events  # jsonschema loads only for this command
    from scanner.store import Store

    with Store.open(ctx.obj["db"]) as store:
        result = import_events(store, file, at=ctx.obj["clock"]().isoformat(timespec="seconds"))
    for bad in result.bad:
        error(f"{result.path}:{bad.line}: {bad.problem}")
    out.line(
        f"{result.path}: {result.stored} events stored, {result.duplicates} already stored, "
        f"{len(result.bad)} bad lines skipped"
    )
    if result.bad:
        sys.exit(EXIT_PARTIAL)


# The baseline, diff and rescan commands live in their own module and register on `main`.
from scanner import _cli_changes as _cli_changes  # noqa: E402
