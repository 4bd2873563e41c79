"""Python lockfiles other than uv.lock: poetry.lock, pylock.toml (PEP 751), Pipfile.lock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scanner.errors import LockfileError
from scanner.inventory._decode import shown
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
    add_locked,
    file_tables,
    header_lines,
    key_lines,
    load_json,
    load_toml,
    read_text,
    redact_url,
    strs,
)
from scanner.inventory.lockfiles._lockdigests import digest_or_none, hash_table
from scanner.models import Artifact, Digest, EvidenceKind, SourceLocation, VersionEvidence

_PIPFILE_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)": \{')


def _table_list(path: Path, data: dict[str, Any], key: str, *, required: bool) -> list[Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise LockfileError(str(path), f"no [[{key}]] entries")
        return []
    if not isinstance(value, list):
        raise LockfileError(str(path), f"'{key}' is not an array of tables")
    return value


def read_poetry_lock(path: Path) -> LockfileResult:
    """Read poetry.lock v1 (``[metadata.files]``) and v2 (per-package ``files``)."""
    text = read_text(path)
    data = load_toml(path, text)
    packages = _table_list(path, data, "package", required=False)
    if not packages and "metadata" not in data:
        raise LockfileError(str(path), "not a poetry.lock: no [[package]] and no [metadata]")
    metadata = data.get("metadata")
    legacy = metadata.get("files") if isinstance(metadata, dict) else None
    legacy_files = legacy if isinstance(legacy, dict) else {}
    lines = header_lines(text, "[[package]]")
    col = Collector(str(path), "poetry.lock")
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "poetry.lock package")
    for pkg, line in _named_packages(packages, lines, col):
        name = pkg["name"]
        version = pkg.get("version")
        if not isinstance(version, str) or not version:
            col.skip(name, "package without a version", line)
            continue
        where = SourceLocation(col.path, line)
        groups = set(strs(pkg.get("groups"))) or {str(pkg.get("category", "main"))}
        dev = "main" not in groups
        source = pkg.get("source")
        if isinstance(source, dict) and source.get("type") not in (None, "legacy"):
            kind, url = source.get("type"), source.get("url")
            if kind == "git" and isinstance(url, str):
                commit = source.get("resolved_reference") or source.get("reference")
                add_git(
                    col,
                    name,
                    url,
                    commit if isinstance(commit, str) else None,
                    version=version,
                    where=where,
                    ecosystem_hint="pypi",
                    dev=dev,
                )
            else:
                col.skip(f"{name} {version}", f"{kind} source is not a registry package", line)
            continue
        files = pkg.get("files", legacy_files.get(name, []))
        artifacts = _poetry_files(files, name, col, line)
        add_locked(col, "pypi", name, version, evidence, artifacts, where, dev=dev)
    return col.result()


def _poetry_files(
    files: object, name: str, col: Collector, line: int | None
) -> tuple[Artifact, ...]:
    out: list[Artifact] = []
    if not isinstance(files, list):
        return ()
    for f in file_tables(files, name, col, line):
        filename = f.get("file") if isinstance(f.get("file"), str) else None
        d = digest_or_none(f.get("hash"), col, f"{name} {filename}", line) if "hash" in f else None
        out.append(Artifact(filename=filename, digests=(d,) if d else ()))
    return tuple(out)


def read_pylock(path: Path) -> LockfileResult:
    """Read a PEP 751 pylock.toml (lock-version 1.x)."""
    text = read_text(path)
    data = load_toml(path, text)
    version = data.get("lock-version")
    if not isinstance(version, str):
        raise LockfileError(str(path), "not a pylock.toml: no 'lock-version'")
    if version.split(".", 1)[0] != "1":
        raise LockfileError(str(path), f"unsupported lock-version {version!r} (expected 1.x)")
    packages = _table_list(path, data, "packages", required=True)
    lines = header_lines(text, "[[packages]]")
    col = Collector(str(path), "pylock")
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "pylock.toml package")
    for pkg, line in _named_packages(packages, lines, col):
        _pylock_package(pkg, pkg["name"], SourceLocation(col.path, line), col, evidence)
    return col.result()


def _pylock_package(
    pkg: dict[str, Any],
    name: str,
    where: SourceLocation,
    col: Collector,
    evidence: VersionEvidence,
) -> None:
    line = where.line
    version = pkg.get("version") if isinstance(pkg.get("version"), str) else None
    identities = (
        tuple(
            {str(k): v for k, v in ident.items() if isinstance(v, str)}
            for ident in pkg.get("attestation-identities", ())
            if isinstance(ident, dict)
        )
        if isinstance(pkg.get("attestation-identities"), list)
        else ()
    )
    vcs = pkg.get("vcs")
    if isinstance(vcs, dict):
        url = vcs.get("url") or vcs.get("path")
        commit = vcs.get("commit-id")
        if isinstance(url, str):
            add_git(
                col,
                name,
                url,
                commit if isinstance(commit, str) else None,
                version=version,
                where=where,
                ecosystem_hint="pypi",
            )
        else:
            col.skip(name, "vcs source without a url", line)
        return
    if isinstance(pkg.get("directory"), dict):
        col.skip(name, "local directory source is not a registry package", line)
        return
    if version is None:
        col.skip(name, "package without a version (a source tree; nothing to check)", line)
        return
    files: list[Any] = []
    if isinstance(pkg.get("sdist"), dict):
        files.append(pkg["sdist"])
    if isinstance(pkg.get("wheels"), list):
        files.extend(pkg["wheels"])
    archive = pkg.get("archive")
    if isinstance(archive, dict):
        files.append(archive)
    artifacts: list[Artifact] = []
    for f in file_tables(files, name, col, line):
        url = f.get("url") if isinstance(f.get("url"), str) else None
        filename = f.get("name") if isinstance(f.get("name"), str) else None
        if filename is None and url:
            filename = url.rsplit("/", 1)[-1]
        subject = f"{name} {filename or url or ''}".strip()
        digests = hash_table(f.get("hashes"), col, subject, line)
        artifacts.append(Artifact(filename, redact_url(url) if url else None, digests))
    add_locked(col, "pypi", name, version, evidence, tuple(artifacts), where, identities=identities)


def read_pipfile_lock(path: Path) -> LockfileResult:
    """Read a Pipfile.lock (``default`` and ``develop`` sections)."""
    text = read_text(path)
    data = load_json(path, text)
    if not isinstance(data.get("_meta"), dict) and not (
        isinstance(data.get("default"), dict) or isinstance(data.get("develop"), dict)
    ):
        raise LockfileError(str(path), "not a Pipfile.lock: no _meta, default or develop")
    col = Collector(str(path), "Pipfile.lock")
    lines = key_lines(text, _PIPFILE_KEY)  # one pass: a search per entry is quadratic
    for section, dev in (("default", False), ("develop", True)):
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise LockfileError(str(path), f"'{section}' is not an object")
        evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, f"Pipfile.lock {section}")
        for name, entry in entries.items():
            line = lines.get(name)
            where = SourceLocation(col.path, line)
            if not isinstance(entry, dict):
                col.skip(name, "entry is not an object", line)
                continue
            if isinstance(entry.get("git"), str):
                ref = entry.get("ref")
                add_git(
                    col,
                    name,
                    entry["git"],
                    ref if isinstance(ref, str) else None,
                    version=None,
                    where=where,
                    ecosystem_hint="pypi",
                    dev=dev,
                )
                continue
            if "path" in entry or "file" in entry:
                col.skip(name, "path or file source is not a registry package", line)
                continue
            spec = entry.get("version")
            if not isinstance(spec, str) or not spec.startswith("=="):
                col.skip(name, f"no exact version ({shown(spec, 40)})", line)
                continue
            digests: list[Digest] = []
            for raw in entry.get("hashes", ()) if isinstance(entry.get("hashes"), list) else ():
                d = digest_or_none(raw, col, f"{name} {raw!s:.80}", line)
                if d is not None:
                    digests.append(d)
            artifacts = (Artifact(digests=tuple(digests)),) if digests else ()
            add_locked(col, "pypi", name, spec[2:], evidence, artifacts, where, dev=dev)
    return col.result()


def _named_packages(
    packages: list[Any], lines: list[int], col: Collector
) -> Iterator[tuple[dict[str, Any], int | None]]:
    """Each package table with its header line; one without a name is skipped with a reason."""
    for i, pkg in enumerate(packages):
        # Header lines are trusted only when they pair one to one with the tables read.
        line = lines[i] if len(lines) == len(packages) else None
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            col.skip(f"package #{i + 1}", "package without a name", line)
            continue
        yield pkg, line
