"""Add the dependencies a tool cache holds for a launched package, as ``tool_cache`` components.

The top package is added by its launcher; this adds everything installed beside it in the same
npx entry or venv (``direct=False``). Their versions are what the cache installed, so they are a
statement about the last launch, like the top package's ``tool_cache`` version.
"""

from __future__ import annotations

import binascii
from pathlib import Path

from attestations.digests import DigestError, parse_sri
from scanner.checks.codes import Code
from scanner.inventory.launch._context import Ctx, make_purl
from scanner.inventory.launch.caches import CachedPackage
from scanner.models import Artifact, Component, Digest, EvidenceKind, VersionEvidence


def _digests(integrity: str | None) -> tuple[Digest, ...]:
    if integrity is None:
        return ()
    try:
        return parse_sri(integrity)
    except (DigestError, binascii.Error, ValueError):
        return ()  # an unreadable integrity only loses the digest, never the component


def _npm_purl(name: str, version: str) -> str:
    scope, _, bare = name.rpartition("/")
    return make_purl("npm", bare, namespace=scope or None, version=version)


def add_tree(
    ctx: Ctx, ecosystem: str, top: str, tree: tuple[CachedPackage, ...], entry: Path
) -> None:
    """Add every package of ``tree`` except ``top`` itself, and CW210 for install scripts."""
    what = "npx cache" if ecosystem == "npm" else "uv/pipx environment"
    for pkg in tree:
        if pkg.name == top:
            continue
        purl = (
            _npm_purl(pkg.name, pkg.version)
            if ecosystem == "npm"
            else make_purl("pypi", pkg.name, version=pkg.version)
        )
        digests = _digests(pkg.integrity)
        ctx.add(
            Component(
                purl=purl,
                ecosystem=ecosystem,
                name=pkg.name,
                version=pkg.version,
                evidence=VersionEvidence(
                    EvidenceKind.TOOL_CACHE,
                    source=str(pkg.source),
                    detail=f"dependency of {top} in the {what} {entry.name}",
                ),
                artifacts=(Artifact(digests=digests),) if digests else (),
                source=ctx.location,
                direct=False,
            )
        )
    for pkg in tree:
        if pkg.install_script:
            ctx.flag(
                Code.INSTALL_SCRIPTS,
                _npm_purl(pkg.name, pkg.version),
                f"{pkg.name} {pkg.version} ran install scripts when npx installed it",
                lockfile=str(pkg.source),
            )
