"""``verify-env``, ``trust-root`` and ``trust``: attestations, the sigstore root, publishers."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner._cli.root import EXIT_GATE, EXIT_OK, F, handle_errors, main
from scanner._output import Output, output_options
from scanner.errors import ChainwatchError

if TYPE_CHECKING:
    from attestations.result import PublisherIdentity


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
    from scanner.store import open_store

    with open_store(ctx.obj["db"]) as store:
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
    from scanner.store import IdentityAction, open_store

    with open_store(ctx.obj["db"]) as store:
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
    from scanner.store import IdentityAction, open_store

    with open_store(ctx.obj["db"]) as store:
        store.set_identity(
            package,
            identity,
            action=IdentityAction.PINNED,
            at=ctx.obj["clock"]().isoformat(timespec="seconds"),
            pinned=True,
        )
    out.data(f"pinned {package}: {identity.describe()}")
