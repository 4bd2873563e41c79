"""The distributions installed in a site-packages folder (``.dist-info`` metadata, no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.errors import LockfileError
from scanner.inventory._decode import load_json, read_text
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
)
from scanner.inventory.lockfiles._purls import pypi_purl
from scanner.models import Component, EvidenceKind, SourceLocation, VersionEvidence


def read_installed_env(site_packages: Path) -> LockfileResult:
    """Inventory the distributions installed in a site-packages folder (no network)."""
    if not site_packages.is_dir():
        raise LockfileError(str(site_packages), "not a directory")
    col = Collector(str(site_packages), "installed")
    # importlib.metadata (and the email parser under it) loads only when a site-packages
    # folder is read: most runs read none.
    from importlib.metadata import distributions

    for dist in sorted(distributions(path=[str(site_packages)]), key=_dist_sort_key):
        info = getattr(dist, "_path", None)  # the .dist-info folder (PathDistribution)
        where = str(info) if info is not None else str(site_packages)
        try:
            name = dist.metadata["Name"]
            version = dist.version
        except (OSError, UnicodeDecodeError, KeyError):
            name, version = None, None
        if not name or not version:
            col.skip(Path(where).name, "installed distribution without name or version")
            continue
        direct_url = _read_direct_url(Path(where) / "direct_url.json")
        loc = SourceLocation(where)
        requested = Path(where, "REQUESTED").exists() if info is not None else True
        if direct_url is not None:
            if isinstance(direct_url.get("vcs_info"), dict) and direct_url.get("url"):
                vcs = direct_url["vcs_info"]
                add_git(
                    col,
                    name,
                    str(direct_url["url"]),
                    str(vcs.get("commit_id") or "") or None,
                    version=version,
                    where=loc,
                    ecosystem_hint="pypi",
                    direct=requested,
                )
                continue
            if isinstance(direct_url.get("dir_info"), dict):
                col.skip(f"{name} {version}", "installed from a local directory")
                continue
        col.components.append(
            Component(
                purl=pypi_purl(name, version),
                ecosystem="pypi",
                name=name,
                version=version,
                evidence=VersionEvidence(EvidenceKind.LOCKFILE, where, "installed dist-info"),
                source=loc,
                path=where,
                direct=requested,
            )
        )
    return col.result()


def _dist_sort_key(dist: Any) -> str:
    return str(getattr(dist, "_path", ""))


def _read_direct_url(path: Path) -> dict[str, Any] | None:
    try:  # the shared reader: a FIFO or device in a dist-info folder is refused, not awaited
        data = load_json(read_text(path, LockfileError), str(path), LockfileError)
    except LockfileError:
        return None
    return data if isinstance(data, dict) else None
