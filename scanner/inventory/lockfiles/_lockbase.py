"""Shared pieces of the lockfile readers: result type, loaders, purls, component helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from packageurl import PackageURL

from scanner.checks.codes import Code, finding
from scanner.errors import LockfileError
from scanner.inventory import _decode
from scanner.inventory.lockfiles._purls import make_purl, npm_purl, pypi_purl
from scanner.models import (
    Artifact,
    Component,
    EvidenceKind,
    Finding,
    Skipped,
    SourceLocation,
    VersionEvidence,
)
from scanner.redact import redact_url as _redact_url

_FULL_SHA = re.compile(r"[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?")
_GITHUB = re.compile(r"(?:git\+)?(?:https?|ssh|git)://(?:git@)?github\.com/([^/]+)/([^/#@?]+)")


@dataclass(frozen=True, slots=True)
class LockfileResult:
    """What one manifest or lockfile says: components, entries we could not use, and findings."""

    components: tuple[Component, ...]
    skipped: tuple[Skipped, ...]
    findings: tuple[Finding, ...]
    kind: str


@dataclass(slots=True)
class Collector:
    """Accumulates one file's components, skipped entries and findings."""

    path: str
    kind: str
    components: list[Component] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def skip(self, subject: str, reason: str, line: int | None = None) -> None:
        """Record an entry we could not inventory."""
        self.skipped.append(Skipped(subject, reason, SourceLocation(self.path, line)))

    def result(self) -> LockfileResult:
        """Freeze into a LockfileResult."""
        return LockfileResult(
            tuple(self.components), tuple(self.skipped), tuple(self.findings), self.kind
        )


def read_text(path: Path) -> str:
    """Read a regular file within the size cap as UTF-8 (BOM tolerated), naming it on failure."""
    return _decode.read_text(path, LockfileError)


def load_toml(path: Path, text: str, *, first_line: int = 1) -> dict[str, Any]:
    """Parse TOML text (starting at ``first_line`` of the file); LockfileError on failure."""
    data = _decode.load_toml(text, str(path), LockfileError, first_line=first_line)
    assert isinstance(data, dict)  # a TOML document is always a table
    return data


def load_json(path: Path, text: str) -> dict[str, Any]:
    """Parse a JSON object; LockfileError naming the file (and line) on failure."""
    data = _decode.load_json(text, str(path), LockfileError)
    if not isinstance(data, dict):
        raise LockfileError(str(path), f"expected a JSON object, found {type(data).__name__}")
    return data


def load_yaml(path: Path, text: str) -> dict[str, Any]:
    """Parse a YAML mapping (safe loader, bounded aliases); LockfileError on failure."""
    data = _decode.load_yaml(text, str(path), LockfileError)
    if not isinstance(data, dict):
        raise LockfileError(str(path), f"expected a YAML mapping, found {type(data).__name__}")
    return data


def header_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of each line that is exactly ``header`` (e.g. ``[[package]]``)."""
    lines: list[int] = []
    pos = 0
    line = 1
    needle = "\n" + header
    if text.startswith(header):
        lines.append(1)
    while True:
        found = text.find(needle, pos)
        if found < 0:
            return lines
        line += text.count("\n", pos, found + 1)
        end = found + 1 + len(header)
        if end >= len(text) or text[end] in "\r\n \t#":
            lines.append(line)
        pos = found + 1


def add_git(
    col: Collector,
    name: str,
    url: str,
    commit: str | None,
    *,
    version: str | None,
    where: SourceLocation,
    ecosystem_hint: str,
    requirement: str | None = None,
    direct: bool = True,
    dev: bool = False,
) -> None:
    """Append a component built from a git source and its CW107 finding.

    The component is exact only when a full commit id is known.
    """
    clean = redact_url(url)
    exact = commit if commit and _FULL_SHA.fullmatch(commit) else None
    gh = _GITHUB.match(clean)
    if gh:
        repo = gh.group(2).removesuffix(".git")
        purl = make_purl("github", gh.group(1).lower(), repo.lower(), exact)
    else:
        purl = PackageURL(
            type="generic", name=name, version=exact, qualifiers={"vcs_url": f"git+{clean}"}
        ).to_string()
    kind = EvidenceKind.LOCKFILE if exact else EvidenceKind.UNRESOLVED
    comp = Component(
        purl=purl,
        ecosystem="git",
        name=name,
        version=version or exact,
        evidence=VersionEvidence(kind, where.path, f"{ecosystem_hint} git source {clean}"),
        requirement=requirement,
        artifacts=(Artifact(url=clean),),
        source=where,
        direct=direct,
        dev=dev,
    )
    col.components.append(comp)
    col.findings.append(
        finding(Code.GIT_SOURCE, purl, f"{name} is locked to a git source", file=where)
    )


def redact_url(url: str) -> str:
    """Drop credentials from a URL so they never reach a report or log (see scanner.redact)."""
    return _redact_url(url)


def key_lines(text: str, pattern: re.Pattern[str]) -> dict[str, int]:
    """Map each key captured by ``pattern`` to the 1-based line it first appears on.

    One pass over the text, however many keys are looked up (a search from the top for each
    key is quadratic in a large file). The key is the last group that matched, so a pattern may
    offer alternatives (``"(...)"|'(...)'``); patterns that start with a literal newline are
    the fastest to search for.
    """
    out: dict[str, int] = {}
    line, prev = 1, 0
    for m in pattern.finditer(text):
        group = m.lastindex or 0
        line += text.count("\n", prev, m.start(group))
        prev = m.start(group)
        out.setdefault(m.group(group), line)
    return out


def no_digest(c: Component) -> Finding:
    """CW106 for a locked entry whose format normally records a digest."""
    return finding(
        Code.NO_LOCKED_DIGEST,
        c.purl,
        f"{c.name} {c.version} is locked without a digest",
        file=c.source,
    )


def add_locked(
    col: Collector,
    ecosystem: Literal["pypi", "npm"],
    name: str,
    version: str,
    evidence: VersionEvidence,
    artifacts: tuple[Artifact, ...],
    where: SourceLocation,
    *,
    purl: str | None = None,
    direct: bool = True,
    dev: bool = False,
    identities: tuple[dict[str, str], ...] = (),
) -> None:
    """Append a registry package a lockfile pins, with CW106 when none of its files has a digest."""
    if purl is None:
        purl = pypi_purl(name, version) if ecosystem == "pypi" else npm_purl(name, version)
    comp = Component(
        purl=purl,
        ecosystem=ecosystem,
        name=name,
        version=version,
        evidence=evidence,
        artifacts=artifacts,
        source=where,
        direct=direct,
        dev=dev,
        attestation_identities=identities,
    )
    col.components.append(comp)
    if not any(a.digests for a in artifacts):
        col.findings.append(no_digest(comp))


def install_scripts(c: Component, marker: str) -> Finding:
    """CW210 for a locked package the lockfile marks as running install scripts."""
    return finding(
        Code.INSTALL_SCRIPTS,
        c.purl,
        f"{c.name} {c.version} runs install scripts when installed ({marker} in the lockfile)",
        file=c.source,
    )


def unpinned(c: Component, spec: str) -> Finding:
    """CW105 for a declared dependency (``spec`` as written) without an exact version."""
    return finding(
        Code.UNPINNED_REQUIREMENT, c.purl, f"{spec} does not pin an exact version", file=c.source
    )


def file_tables(
    files: Iterable[object], name: str, col: Collector, line: int | None
) -> Iterator[dict[str, Any]]:
    """The file tables of a Python lockfile package; an entry that is not a table is Skipped."""
    for f in files:
        if isinstance(f, dict):
            yield f
        else:
            col.skip(name, "file entry is not a table", line)


def line_of(text: str, needle: str) -> int | None:
    """1-based line of the first occurrence of ``needle`` in ``text``, or None."""
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def strs(value: object) -> Iterable[str]:
    """The strings of a list, ignoring anything else."""
    if isinstance(value, list):
        return (v for v in value if isinstance(v, str))
    return ()
