"""pip requirements files (``-r``/``-c`` includes, ``--hash``), and the requirement-string parsing
that pyproject.toml declarations share."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from scanner.checks.codes import Code, finding
from scanner.errors import LockfileError
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
    read_text,
    redact_url,
    unpinned,
)
from scanner.inventory.lockfiles._lockdigests import canonical_sha256, digest_or_none
from scanner.inventory.lockfiles._purls import pypi_purl
from scanner.models import (
    Artifact,
    Component,
    Digest,
    EvidenceKind,
    SourceLocation,
    VersionEvidence,
)
from scanner.redact import redact_text

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SIMPLE_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.!+_-]*)")
# Options that take a value and do not name a requirement; ignored, never echoed (index URLs
# may carry credentials).
_GLOBAL_OPTIONS = frozenset(
    "-i --index-url --extra-index-url -f --find-links --trusted-host --no-binary --only-binary "
    "--prefer-binary --require-hashes --pre --no-index --use-feature -Z --always-unzip".split()
)
_INCLUDE = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_EDITABLE = frozenset({"-e", "--editable"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One requirement as written, with its ``--hash`` values and where it stands."""

    text: str
    hashes: tuple[str, ...]
    where: SourceLocation
    editable: bool = False


@dataclass(frozen=True, slots=True)
class Parsed:
    """The parts of a requirement the inventory needs."""

    name: str
    version: str | None  # exact pin, if any
    url: str | None


def read_requirements(path: Path) -> LockfileResult:
    """Read a pip requirements file, following ``-r`` and ``-c`` relative to each file."""
    col = Collector(str(path), "requirements")
    entries: list[Entry] = []
    constraints: list[Entry] = []
    _collect(path, col, entries, constraints, set(), top=True)
    pins: dict[str, tuple[str, SourceLocation, tuple[str, ...]]] = {}
    for c in constraints:
        req = parse_entry(c, col)
        if req is not None and req.version is not None:
            pins[req.name.lower()] = (req.version, c.where, c.hashes)
    unhashed = 0
    for e in entries:
        if e.editable or _looks_like_path(e.text):
            add_non_registry(e, col)
            continue
        req = parse_entry(e, col)
        if req is None:
            continue
        if req.url:
            add_non_registry(e, col, req)
            continue
        version = req.version
        where, hashes, detail = e.where, e.hashes, "pinned with =="
        if version is None and req.name.lower() in pins:
            version, where, hashes = pins[req.name.lower()]
            hashes = hashes or e.hashes
            detail = f"pinned by constraint at {where}"
        comp = pypi_component(req.name, version, e, where, hashes, detail, col)
        col.components.append(comp)
        if version is None:
            col.findings.append(unpinned(comp, _redact(e.text)))
        elif not comp.artifacts:
            unhashed += 1
    if unhashed:
        col.findings.append(
            finding(
                Code.NO_LOCKED_DIGEST,
                str(path),
                f"{unhashed} pinned requirement(s) without --hash; installs are not "
                "checked against a digest",
                file=str(path),
                count=unhashed,
            )
        )
    return col.result()


def _collect(
    path: Path,
    col: Collector,
    entries: list[Entry],
    constraints: list[Entry],
    seen: set[Path],
    *,
    top: bool,
    as_constraint: bool = False,
) -> None:
    key = path.resolve()
    if key in seen:
        return  # include cycle: every file is read once
    seen.add(key)
    try:
        text = read_text(path)
    except LockfileError:
        if top:
            raise
        col.skip(str(path), "included file cannot be read")
        return
    name = str(path)
    requirements = constraints if as_constraint else entries
    for lineno, line in _logical_lines(text):
        tokens = line.split()
        if not tokens:
            continue
        first = tokens[0]
        where = SourceLocation(name, lineno)
        if first[0] != "-":  # a requirement, the usual line (every option starts with "-")
            requirements.append(_requirement(tokens, where))
            continue
        opt, eq, value = first.partition("=")
        if opt in _INCLUDE or (first.startswith(("-r", "-c")) and len(first) > 2 and not eq):
            flag = opt if opt in _INCLUDE else first[:2]
            target = value if eq else (tokens[1] if opt in _INCLUDE and len(tokens) > 1 else "")
            if not (eq or opt in _INCLUDE):
                target = first[2:]
            if not target:
                col.skip(line, f"{flag} without a file name", lineno)
                continue
            if "://" in target:
                col.skip(redact_url(target), "remote include files are not fetched", lineno)
                continue
            child = path.parent / target
            constraint = as_constraint or _INCLUDE[flag] == "c"
            _collect(child, col, entries, constraints, seen, top=False, as_constraint=constraint)
        elif opt in _GLOBAL_OPTIONS or first.startswith(("--index-url", "--extra-index-url")):
            continue
        elif opt in _EDITABLE or first.startswith("-e"):
            target = value if eq else (tokens[1] if len(tokens) > 1 and opt in _EDITABLE else "")
            if not (eq or opt in _EDITABLE):
                target = first[2:]
            entries.append(Entry(target, (), where, editable=True))
        else:
            col.skip(first, "unsupported option in requirements file", lineno)


def _requirement(tokens: list[str], where: SourceLocation) -> Entry:
    """A requirement line: the requirement, then its options (``--hash`` kept, others ignored)."""
    i = 1
    while i < len(tokens) and not tokens[i].startswith("-"):
        i += 1  # pip: the requirement is everything before the first option
    opts = tokens[i:]
    if "--hash" not in opts:  # only --hash=VALUE forms: no value to take from the next token
        hashes = tuple([tok[7:] for tok in opts if tok.startswith("--hash=")])
    else:
        found: list[str] = []
        for j, tok in enumerate(opts):
            if tok.startswith("--hash="):
                found.append(tok[7:])
            elif tok == "--hash" and j + 1 < len(opts):
                found.append(opts[j + 1])
        hashes = tuple(found)
    return Entry(tokens[0] if i == 1 else " ".join(tokens[:i]), hashes, where)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join ``\\`` continuations and strip comments; keep the first physical line number."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for i, raw in enumerate(text.splitlines(), 1):
        if not buf and "#" not in raw and not raw.endswith("\\"):
            if stripped := raw.strip():  # a line of its own without a comment: most lines
                out.append((i, stripped))
            continue
        if not buf:
            start = i
        if raw.endswith("\\"):
            buf.append(raw[:-1])
            continue
        buf.append(raw)
        line = _COMMENT.sub("", " ".join(buf)) if "#" in raw or len(buf) > 1 else raw
        buf = []
        if line.strip():
            out.append((start, line.strip()))
    if buf:
        out.append((start, _COMMENT.sub("", " ".join(buf)).strip()))
    return out


def _redact(text: str) -> str:
    return redact_text(text)


def parse_entry(e: Entry, col: Collector) -> Parsed | None:
    """Parse a PEP 508 requirement; an invalid one becomes a Skipped (credentials redacted)."""
    simple = _SIMPLE_PIN.fullmatch(e.text)
    if simple is not None:  # hot path for long pinned files: skip the full grammar
        return Parsed(simple[1], simple[2], None)
    # The full PEP 508 grammar (packaging's regexes, compiled on import) loads on the first
    # entry the fast path cannot take: a fully pinned file never loads it.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(e.text)
    except InvalidRequirement as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        col.skip(_redact(e.text) or "(empty)", msg, e.where.line)
        return None
    specs = list(req.specifier)
    exact = None
    if len(specs) == 1 and specs[0].operator in {"==", "==="} and "*" not in specs[0].version:
        exact = specs[0].version
    return Parsed(req.name, exact, req.url)


def pypi_component(
    name: str,
    version: str | None,
    e: Entry,
    where: SourceLocation,
    hashes: tuple[str, ...],
    detail: str,
    col: Collector,
) -> Component:
    """A declared PyPI dependency: pinned (lockfile evidence) or unresolved."""
    digests: list[Digest] = []
    for raw in hashes:
        # The canonical form first: the subject of a skip is written only for a bad digest.
        d = canonical_sha256(raw) or digest_or_none(raw, col, f"{name} --hash={raw}", where.line)
        if d is not None:
            digests.append(d)
    return Component(
        purl=pypi_purl(name, version),
        ecosystem="pypi",
        name=name,
        version=version,
        evidence=_evidence(where.path, detail) if version else _UNRESOLVED,
        requirement=_redact(e.text),
        artifacts=(Artifact(digests=tuple(digests)),) if digests else (),
        source=e.where,
    )


_UNRESOLVED = VersionEvidence(EvidenceKind.UNRESOLVED, None, "")


@functools.lru_cache(maxsize=256)
def _evidence(path: str, detail: str) -> VersionEvidence:
    # One frozen value per file and detail, shared by its pins (the lines of a lockfile).
    return VersionEvidence(EvidenceKind.LOCKFILE, path, detail)


def _looks_like_path(text: str) -> bool:
    return text.startswith((".", "/", "~", "file:")) or text.endswith((".whl", ".zip", ".tar.gz"))


def add_non_registry(e: Entry, col: Collector, req: Parsed | None = None) -> None:
    """An editable, URL or path requirement: a git component, or Skipped."""
    url = req.url if req is not None and req.url else e.text
    name = req.name if req is not None else _egg_name(url)
    clean = redact_url(url)
    if url.startswith("git+"):
        base, _, frag = url[4:].partition("#")
        repo, _, ref = base.rpartition("@") if "@" in base.split("://", 1)[-1] else (base, "", "")
        add_git(
            col,
            name or repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"),
            repo,
            ref or None,
            version=None,
            where=e.where,
            ecosystem_hint="pypi",
            requirement=_redact(e.text),
        )
        return
    kind = "editable install" if e.editable else "direct URL or local path requirement"
    col.skip(clean, f"{kind} is not a registry package", e.where.line)


def _egg_name(url: str) -> str | None:
    frag = url.partition("#")[2]
    for part in frag.split("&"):
        key, _, value = part.partition("=")
        if key == "egg" and value:
            return value
    return None
