"""Python manifests: requirements files, pyproject.toml, and an installed site-packages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from scanner.checks.codes import Code, finding
from scanner.errors import LockfileError
from scanner.inventory._lockbase import (
    Collector,
    LockfileResult,
    digest_or_none,
    git_component,
    git_finding,
    load_toml,
    pypi_purl,
    read_text,
    redact_url,
)
from scanner.models import (
    Artifact,
    Component,
    Digest,
    EvidenceKind,
    SourceLocation,
    VersionEvidence,
)

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SIMPLE_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.!+_-]*)")
_CREDENTIALS = re.compile(r"//[^/@\s]+@")
# Options that take a value and do not name a requirement; ignored, never echoed (index URLs
# may carry credentials).
_GLOBAL_OPTIONS = frozenset(
    "-i --index-url --extra-index-url -f --find-links --trusted-host --no-binary --only-binary "
    "--prefer-binary --require-hashes --pre --no-index --use-feature -Z --always-unzip".split()
)
_INCLUDE = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_EDITABLE = frozenset({"-e", "--editable"})


@dataclass(frozen=True, slots=True)
class _Entry:
    text: str
    hashes: tuple[str, ...]
    where: SourceLocation
    editable: bool = False


def read_requirements(path: Path) -> LockfileResult:
    """Read a pip requirements file, following ``-r`` and ``-c`` relative to each file."""
    col = Collector(str(path), "requirements")
    entries: list[_Entry] = []
    constraints: list[_Entry] = []
    _collect(path, col, entries, constraints, set(), top=True)
    pins: dict[str, tuple[str, SourceLocation, tuple[str, ...]]] = {}
    for c in constraints:
        req = _parse(c, col)
        if req is not None and req.version is not None:
            pins[req.name.lower()] = (req.version, c.where, c.hashes)
    unhashed = 0
    for e in entries:
        if e.editable or _looks_like_path(e.text):
            _special(e, col)
            continue
        req = _parse(e, col)
        if req is None:
            continue
        if req.url:
            _special(e, col, req)
            continue
        version = req.version
        where, hashes, detail = e.where, e.hashes, "pinned with =="
        if version is None and req.name.lower() in pins:
            version, where, hashes = pins[req.name.lower()]
            hashes = hashes or e.hashes
            detail = f"pinned by constraint at {where}"
        comp = _component(req.name, version, e, where, hashes, detail, col)
        col.components.append(comp)
        if version is None:
            col.findings.append(
                finding(
                    Code.UNPINNED_REQUIREMENT,
                    comp.purl,
                    f"{comp.requirement} does not pin an exact version",
                    file=e.where,
                )
            )
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
    entries: list[_Entry],
    constraints: list[_Entry],
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
    for lineno, line in _logical_lines(text):
        tokens = line.split()
        if not tokens:
            continue
        first = tokens[0]
        where = SourceLocation(str(path), lineno)
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
            entries.append(_Entry(target, (), where, editable=True))
        elif first.startswith("-"):
            col.skip(first, "unsupported option in requirements file", lineno)
        else:
            i = 0
            while i < len(tokens) and not tokens[i].startswith("-"):
                i += 1  # pip: the requirement is everything before the first option
            hashes: list[str] = []
            opts = tokens[i:]
            for j, tok in enumerate(opts):
                if tok.startswith("--hash="):
                    hashes.append(tok[7:])
                elif tok == "--hash" and j + 1 < len(opts):
                    hashes.append(opts[j + 1])
            req_text = " ".join(tokens[:i])
            target_list = constraints if as_constraint else entries
            target_list.append(_Entry(req_text, tuple(hashes), where))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join ``\\`` continuations and strip comments; keep the first physical line number."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for i, raw in enumerate(text.splitlines(), 1):
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


@dataclass(frozen=True, slots=True)
class _Parsed:
    name: str
    version: str | None  # exact pin, if any
    url: str | None


def _parse(e: _Entry, col: Collector) -> _Parsed | None:
    simple = _SIMPLE_PIN.fullmatch(e.text)
    if simple is not None:  # hot path for long pinned files: skip the full grammar
        return _Parsed(simple[1], simple[2], None)
    try:
        req = Requirement(e.text)
    except InvalidRequirement as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        col.skip(_CREDENTIALS.sub("//***@", e.text) or "(empty)", msg, e.where.line)
        return None
    specs = list(req.specifier)
    exact = None
    if len(specs) == 1 and specs[0].operator in {"==", "==="} and "*" not in specs[0].version:
        exact = specs[0].version
    return _Parsed(req.name, exact, req.url)


def _component(
    name: str,
    version: str | None,
    e: _Entry,
    where: SourceLocation,
    hashes: tuple[str, ...],
    detail: str,
    col: Collector,
) -> Component:
    digests: list[Digest] = []
    for raw in hashes:
        d = digest_or_none(raw, col, f"{name} --hash={raw}", where.line)
        if d is not None:
            digests.append(d)
    kind = EvidenceKind.LOCKFILE if version else EvidenceKind.UNRESOLVED
    return Component(
        purl=pypi_purl(name, version),
        ecosystem="pypi",
        name=name,
        version=version,
        evidence=VersionEvidence(kind, where.path if version else None, detail if version else ""),
        requirement=_CREDENTIALS.sub("//***@", e.text),
        artifacts=(Artifact(digests=tuple(digests)),) if digests else (),
        source=e.where,
    )


def _looks_like_path(text: str) -> bool:
    return text.startswith((".", "/", "~", "file:")) or text.endswith((".whl", ".zip", ".tar.gz"))


def _special(e: _Entry, col: Collector, req: _Parsed | None = None) -> None:
    """An editable, URL or path requirement: a git component, or Skipped."""
    url = req.url if req is not None and req.url else e.text
    name = req.name if req is not None else _egg_name(url)
    clean = redact_url(url)
    if url.startswith("git+"):
        base, _, frag = url[4:].partition("#")
        repo, _, ref = base.rpartition("@") if "@" in base.split("://", 1)[-1] else (base, "", "")
        comp = git_component(
            name or repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"),
            repo,
            ref or None,
            version=None,
            where=e.where,
            ecosystem_hint="pypi",
            requirement=_CREDENTIALS.sub("//***@", e.text),
        )
        col.components.append(comp)
        col.findings.append(git_finding(comp))
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


def read_pyproject(path: Path) -> LockfileResult:
    """Read PEP 621 / PEP 735 / Poetry dependency declarations from pyproject.toml."""
    text = read_text(path)
    data = load_toml(path, text)
    col = Collector(str(path), "pyproject")
    project = data.get("project")
    if isinstance(project, dict):
        _specs(project.get("dependencies"), text, col, dev=False)
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for deps in optional.values():
                _specs(deps, text, col, dev=False)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups:
            _specs(_expand_group(groups, str(group), (), col), text, col, dev=True)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict):
        _poetry(poetry.get("dependencies"), text, col, dev=False)
        _poetry(poetry.get("dev-dependencies"), text, col, dev=True)
        pgroups = poetry.get("group")
        if isinstance(pgroups, dict):
            for name, g in pgroups.items():
                if isinstance(g, dict):
                    _poetry(g.get("dependencies"), text, col, dev=name != "main")
    _dedupe(col)
    return col.result()


def _dedupe(col: Collector) -> None:
    """A group included by several others is listed once."""
    seen: set[tuple[str, str | None, bool]] = set()
    kept: list[Component] = []
    for c in col.components:
        key = (c.purl, c.requirement, c.dev)
        if key not in seen:
            seen.add(key)
            kept.append(c)
    col.components[:] = kept
    unique = dict.fromkeys(col.findings)
    col.findings[:] = list(unique)


def _expand_group(
    groups: dict[str, Any], name: str, stack: tuple[str, ...], col: Collector
) -> list[str]:
    if name in stack:
        col.skip(name, f"dependency group include cycle: {' -> '.join((*stack, name))}")
        return []
    out: list[str] = []
    items = groups.get(name)
    if not isinstance(items, list):
        col.skip(name, "dependency group is not a list" if items is not None else "unknown group")
        return out
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out.extend(_expand_group(groups, item["include-group"], (*stack, name), col))
        else:
            col.skip(repr(item)[:80], f"unsupported entry in dependency group {name!r}")
    return out


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _specs(deps: object, text: str, col: Collector, *, dev: bool) -> None:
    if not isinstance(deps, list):
        return
    for dep in deps:
        if not isinstance(dep, str):
            col.skip(repr(dep)[:80], "dependency is not a string")
            continue
        _add_spec(dep, _line_of(text, dep), col, dev=dev)


def _add_spec(dep: str, line: int | None, col: Collector, *, dev: bool) -> None:
    e = _Entry(dep, (), SourceLocation(col.path, line))
    req = _parse(e, col)
    if req is None:
        return
    if req.url:
        _special(e, col, req)
        return
    version = req.version
    comp = _component(req.name, version, e, e.where, (), "pinned with ==", col)
    if dev:
        comp = _with_dev(comp)
    col.components.append(comp)
    if version is None:
        col.findings.append(
            finding(
                Code.UNPINNED_REQUIREMENT,
                comp.purl,
                f"{dep} does not pin an exact version",
                file=e.where,
            )
        )


def _with_dev(c: Component) -> Component:
    return replace(c, dev=True)


def _poetry(deps: object, text: str, col: Collector, *, dev: bool) -> None:
    if not isinstance(deps, dict):
        return
    for name, spec in deps.items():
        if name.lower() == "python":
            continue
        line = _line_of(text, f"\n{name} =")
        line = line + 1 if line else None
        where = SourceLocation(col.path, line)
        if isinstance(spec, dict):
            if isinstance(spec.get("git"), str):
                ref = spec.get("rev") or spec.get("tag") or spec.get("branch")
                comp = git_component(
                    name,
                    spec["git"],
                    ref if isinstance(ref, str) else None,
                    version=None,
                    where=where,
                    ecosystem_hint="pypi",
                    direct=True,
                    dev=dev,
                )
                col.components.append(comp)
                col.findings.append(git_finding(comp))
                continue
            if "path" in spec or "url" in spec:
                col.skip(name, "path or URL dependency is not a registry package", line)
                continue
            spec = spec.get("version", "*")
        if not isinstance(spec, str):
            col.skip(name, "unsupported Poetry dependency value", line)
            continue
        # Poetry reads a bare version ("1.2.3") as an exact pin.
        pep508 = f"{name}=={spec}" if spec[:1].isdigit() else f"{name}{_poetry_spec(spec)}"
        _add_spec(pep508, line, col, dev=dev)


def _poetry_spec(spec: str) -> str:
    if spec.strip() in {"*", ""}:
        return ""
    if spec.startswith(("^", "~")) and not spec.startswith("~="):
        return f">={spec.lstrip('^~')}"  # a floating range; its exact bound does not matter here
    return spec


def read_installed_env(site_packages: Path) -> LockfileResult:
    """Inventory the distributions installed in a site-packages folder (no network)."""
    if not site_packages.is_dir():
        raise LockfileError(str(site_packages), "not a directory")
    col = Collector(str(site_packages), "installed")
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
                comp = git_component(
                    name,
                    str(direct_url["url"]),
                    str(vcs.get("commit_id") or "") or None,
                    version=version,
                    where=loc,
                    ecosystem_hint="pypi",
                    direct=requested,
                )
                col.components.append(comp)
                col.findings.append(git_finding(comp))
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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
