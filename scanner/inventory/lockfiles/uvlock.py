"""uv.lock: split at ``[[package]]`` and read each block with a few regexes, else with tomli.

A 20,000-package uv.lock is about 11 MB; one full TOML parse of that takes seconds. uv writes
a fixed layout, so each ``[[package]]`` block is matched against that layout with compiled
regexes; a block that does not match exactly (another key order, literal strings, path
sources, the root project) is parsed on its own with tomli, so an unusual but valid file is
still read correctly and a malformed one still raises LockfileError with its line. Files with
multi-line strings (where a ``[[package]]`` line could hide inside a string) are parsed whole.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from packageurl import PackageURL

from scanner.errors import LockfileError
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
    add_locked,
    file_tables,
    header_lines,
    load_toml,
    no_digest,
    read_text,
    redact_url,
)
from scanner.inventory.lockfiles._lockdigests import digest_or_none
from scanner.inventory.lockfiles._purls import pypi_purl
from scanner.models import (
    Artifact,
    Component,
    Digest,
    EvidenceKind,
    SourceLocation,
    VersionEvidence,
)

_SEP = "\n[[package]]\n"
_S = r'"([^"\n]*)"'
_HEAD = re.compile(rf"name = {_S}\nversion = {_S}\nsource = \{{ (registry|git|url) = {_S} \}}\n")
# Only canonical "sha256:<64 hex>" hashes take the fast path, so they need no further parsing.
_H = r'"sha256:([0-9a-f]{64})"'
_SDIST = re.compile(
    rf"sdist = \{{ url = {_S}, hash = {_H}(?:, size = \d+)?(?:, upload-time = {_S})? \}}(?:\n|$)"
)
_WHEELS = re.compile(r"wheels = \[\n((?:    \{[^\n]*\n)*)\](?:\n|$)")
_ITEM = re.compile(
    rf"    \{{ url = {_S}, hash = {_H}(?:, size = \d+)?(?:, upload-time = {_S})? \}},?\n"
)


def read_uv_lock(path: Path) -> LockfileResult:
    """Read a uv.lock (format version 1)."""
    text = read_text(path)
    if '"""' in text or "'''" in text or "\r" in text:
        data = load_toml(path, text)
        packages, members = _from_toml(path, data)
        found = header_lines(text, "[[package]]")
        lines: list[int | None] = list(found) if len(found) == len(packages) else []
    else:
        packages, lines, members = _blocks(path, text)
    col = Collector(str(path), "uv.lock")
    _components(packages, lines, members, col)
    return col.result()


def _from_toml(path: Path, data: dict[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    if not isinstance(data.get("version"), int):
        raise LockfileError(str(path), "not a uv.lock: no integer 'version' at the top")
    packages = data.get("package", [])
    if not isinstance(packages, list):
        raise LockfileError(str(path), "'package' is not an array of tables")
    manifest = data.get("manifest")
    members = manifest.get("members") if isinstance(manifest, dict) else None
    names = {m for m in members if isinstance(m, str)} if isinstance(members, list) else set()
    return [p if isinstance(p, dict) else {"__bad__": p} for p in packages], names


def _blocks(path: Path, text: str) -> tuple[list[dict[str, Any]], list[int | None], set[str]]:
    if text.startswith(_SEP[1:]):
        text = "\n" + text
    head, *blocks = text.split(_SEP)
    packages, members = _from_toml(path, load_toml(path, head))
    lines: list[int | None] = [None] * len(packages)
    line = head.count("\n") + 2  # the [[package]] line of the first block
    for block in blocks:
        pkg = _fast_block(block)
        if pkg is not None:
            packages.append(pkg)
            lines.append(line)
        else:
            more = load_toml(path, "[[package]]\n" + block, first_line=line)
            found, extra = _from_toml(path, {"version": 1, **more})
            packages.extend(found)
            lines.extend([line] + [None] * (len(found) - 1))
            members |= extra
        line += block.count("\n") + 2  # the block, then the next [[package]] line
    return packages, lines, members


def _fast_block(block: str) -> dict[str, Any] | None:
    """The fields of one block in uv's exact layout, or None to let tomli read it."""
    head = _HEAD.match(block)
    if head is None:
        return None
    main = block.partition("\n[")[0]  # sub-tables ([package.metadata], ...) are not needed here
    artifacts: list[Artifact] = []
    at = main.find("\nsdist = ")
    if at >= 0:
        sdist = _SDIST.match(main, at + 1)
        if sdist is None:
            return None
        artifacts.append(_artifact(sdist[1], sdist[2]))
    at = main.find("\nwheels = ")
    if at >= 0:
        wheels = _WHEELS.match(main, at + 1)
        if wheels is None:
            return None
        body = wheels[1]
        items = _ITEM.findall(body)
        if len(items) != body.count("\n"):
            return None
        artifacts.extend(_artifact(url, hex_) for url, hex_, _ in items)
    return {
        "name": head[1],
        "version": head[2],
        "source": {head[3]: head[4]},
        "__artifacts__": tuple(artifacts),
    }


def _artifact(url: str, hex_: str) -> Artifact:
    digest = Digest("sha256", hex_, "sha256:" + hex_)
    clean = redact_url(url) if "@" in url else url
    return Artifact(url.rpartition("/")[2].partition("#")[0], clean, (digest,))


def _components(
    packages: list[dict[str, Any]], lines: list[int | None], members: set[str], col: Collector
) -> None:
    roots = [
        p
        for p in packages
        if isinstance(p.get("source"), dict)
        and (
            p["source"].get("virtual") == "."
            or p["source"].get("editable") == "."
            or p.get("name") in members
        )
    ]
    direct: set[str] = set()
    dev_only: set[str] = set()
    runtime: set[str] = set()
    for root in roots:
        runtime.update(_dep_names(root.get("dependencies")))
        for group in _groups(root, "optional-dependencies"):
            runtime.update(_dep_names(group))
        for group in _groups(root, "dev-dependencies"):
            dev_only.update(_dep_names(group))
    direct = runtime | dev_only
    dev_only -= runtime
    root_ids = {id(r) for r in roots}
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "uv.lock package")
    for i, pkg in enumerate(packages):
        line = lines[i] if i < len(lines) else None
        if id(pkg) in root_ids:  # the project itself or a workspace member: reported, not run
            col.skip(
                f"{pkg.get('name')} {pkg.get('version') or ''}".strip(),
                "the project itself or a workspace member (local source), not a registry package",
                line,
            )
            continue
        fast = pkg.get("__artifacts__")
        if fast is not None and "registry" in pkg["source"] and pkg["version"]:
            name, version = pkg["name"], pkg["version"]
            comp = Component(
                purl=pypi_purl(name, version),
                ecosystem="pypi",
                name=name,
                version=version,
                evidence=evidence,
                artifacts=fast,
                source=SourceLocation(col.path, line),
                direct=name in direct if roots else True,
                dev=name in dev_only,
            )
            col.components.append(comp)
            if not fast:
                col.findings.append(no_digest(comp))
            continue
        name, version = pkg.get("name"), pkg.get("version")
        if not isinstance(name, str) or not name:
            col.skip(f"package #{i + 1}", "package without a name", line)
            continue
        source = pkg.get("source")
        if not isinstance(source, dict):
            col.skip(name, "package without a source table", line)
            continue
        where = SourceLocation(col.path, line)
        is_direct = name in direct if roots else True
        is_dev = name in dev_only
        if isinstance(source.get("git"), str):
            url, _, commit = source["git"].partition("#")
            add_git(
                col,
                name,
                _strip_query(url),
                commit or None,
                version=version if isinstance(version, str) else None,
                where=where,
                ecosystem_hint="pypi",
                direct=is_direct,
                dev=is_dev,
            )
            continue
        local = next((k for k in ("path", "directory", "editable", "virtual") if k in source), None)
        if local is not None:
            col.skip(f"{name} ({local} = {source[local]!s:.80})", f"local {local} source", line)
            continue
        if not isinstance(version, str) or not version:
            col.skip(name, "package without a version", line)
            continue
        artifacts = pkg.get("__artifacts__") or _artifacts(pkg, name, col, line)
        purl = pypi_purl(name, version)
        if isinstance(source.get("url"), str):  # a direct URL, not the registry
            purl = PackageURL(
                type="pypi",
                name=purl[9:].split("@", 1)[0],
                version=version,
                qualifiers={"download_url": redact_url(source["url"])},
            ).to_string()
        elif not isinstance(source.get("registry"), str):
            col.skip(f"{name} {version}", f"unknown source kind {sorted(source)!s:.80}", line)
            continue
        add_locked(
            col,
            "pypi",
            name,
            version,
            evidence,
            artifacts,
            where,
            purl=purl,
            direct=is_direct,
            dev=is_dev,
        )


def _artifacts(
    pkg: dict[str, Any], name: str, col: Collector, line: int | None
) -> tuple[Artifact, ...]:
    files: list[Any] = []
    if "sdist" in pkg:
        files.append(pkg["sdist"])
    wheels = pkg.get("wheels")
    if isinstance(wheels, list):
        files.extend(wheels)
    out: list[Artifact] = []
    for f in file_tables(files, name, col, line):
        url = f.get("url") if isinstance(f.get("url"), str) else None
        filename = f.get("filename") or f.get("path")
        if not isinstance(filename, str):
            filename = url.rsplit("/", 1)[-1].split("#", 1)[0] if url else None
        digest = digest_or_none(f["hash"], col, f"{name} {filename}", line) if "hash" in f else None
        out.append(
            Artifact(
                filename=filename,
                url=redact_url(url) if url else None,
                digests=(digest,) if digest else (),
            )
        )
    return tuple(out)


def _groups(pkg: dict[str, Any], key: str) -> list[Any]:
    value = pkg.get(key)
    return list(value.values()) if isinstance(value, dict) else []


def _dep_names(deps: object) -> set[str]:
    if not isinstance(deps, list):
        return set()
    return {d["name"] for d in deps if isinstance(d, dict) and isinstance(d.get("name"), str)}


def _strip_query(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
