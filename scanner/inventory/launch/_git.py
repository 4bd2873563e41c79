"""Packages launched from git URLs (``git+https://host/o/r@ref``, ``github:o/r#ref``)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scanner.checks.codes import Code
from scanner.errors import LaunchError
from scanner.inventory.launch._context import Ctx, make_purl
from scanner.models import Component, EvidenceKind, VersionEvidence

_COMMIT = re.compile(r"^[0-9a-fA-F]{40}$")


def split_git_url(spec: str) -> tuple[str, str | None]:
    """``git+https://host/o/r.git@ref#frag`` -> (``https://host/o/r.git``, ``ref``)."""
    url = spec[4:] if spec.startswith("git+") else spec
    url = url.split("#", 1)[0]
    parts = urlsplit(url)
    path, at, ref = parts.path.rpartition("@")
    if not at:
        return url, None
    return parts._replace(path=path).geturl(), ref or None


def add_git(ctx: Ctx, url: str, ref: str | None, requirement: str) -> None:
    """Add a git-sourced component; only a full commit id counts as pinned."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if not host or len(segments) < 2:
        raise LaunchError(f"not a git repository URL: {url!r}")
    repo = segments[-1].removesuffix(".git")
    pinned = bool(ref and _COMMIT.match(ref))
    if host == "github.com":
        purl = make_purl("github", repo, namespace=segments[0], version=ref)
        name = f"{segments[0]}/{repo}"
    else:
        vcs = f"git+{parts.scheme}://{host}{parts.path}" + (f"@{ref}" if ref else "")
        purl = make_purl("generic", repo, version=ref, qualifiers={"vcs_url": vcs})
        name = repo
    if pinned:
        evidence = VersionEvidence(EvidenceKind.COMMAND_PIN, detail=f"git commit {ref}")
    else:
        detail = f"git ref {ref!r} (branch or tag, movable)" if ref else "git default branch"
        evidence = VersionEvidence(EvidenceKind.UNRESOLVED, detail=detail)
    ctx.add(
        Component(
            purl=purl,
            ecosystem="git",
            name=name,
            version=ref,
            evidence=evidence,
            requirement=requirement,
            source=ctx.location,
        )
    )
    ctx.flag(Code.GIT_SOURCE, purl, "launched from a git source, not a registry release", url=url)
    if not pinned:
        ctx.flag(
            Code.FLOATING_LAUNCH,
            purl,
            "git source is not pinned to a commit",
            spec=ref or "default branch",
        )
