"""npm manifests and lockfiles: package.json and package-lock.json / npm-shrinkwrap.json."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scanner.errors import LockfileError
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
    install_scripts,
    key_lines,
    load_json,
    no_digest,
    read_text,
    redact_url,
    unpinned,
)
from scanner.inventory.lockfiles._lockdigests import sri_digests
from scanner.inventory.lockfiles._purls import npm_purl
from scanner.models import (
    Artifact,
    Component,
    EvidenceKind,
    SourceLocation,
    VersionEvidence,
)

DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_EXACT = re.compile(r"=?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)")
_GITHUB_SHORT = re.compile(r"(?:github:)?([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(?:#(.+))?")
_JSON_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)":')
_LOCK_KEY = re.compile(r'\n    "([^"\n]*)": \{(?=\n)')
_V1_KEY = re.compile(r'\n +"([^"\n]*)": \{(?=\n)')
_GIT_PREFIXES = ("git+", "git:", "github:", "gitlab:", "bitbucket:", "git@")
_LOCAL_PREFIXES = ("file:", "link:", "workspace:", "portal:", ".", "/", "~")


def npm_name(key: str) -> str:
    """The package name at the end of a ``node_modules/...`` path."""
    _, sep, tail = key.rpartition("node_modules/")
    return tail if sep else key


def read_package_json(path: Path) -> LockfileResult:
    """Read the dependency fields of package.json: exact versions pin, ranges are unresolved."""
    text = read_text(path)
    data = load_json(path, text)
    col = Collector(str(path), "package.json")
    lines: dict[str, int] | None = None  # where each "key": is first written, found once
    for fld in DEP_FIELDS:
        deps = data.get(fld)
        if deps is None:
            continue
        if not isinstance(deps, dict):
            raise LockfileError(str(path), f"'{fld}' is not an object")
        for name, spec in deps.items():
            if lines is None:
                lines = key_lines(text, _JSON_KEY)
            line = lines.get(name)
            where = SourceLocation(col.path, line)
            if not isinstance(spec, str):
                col.skip(name, f"{fld} value is not a string", line)
                continue
            if not name.strip() or name.strip("@/") == "":
                col.skip(repr(name), f"{fld} entry has no package name", line)
                continue
            _manifest_dep(name, spec, where, col, dev=fld == "devDependencies")
    return col.result()


def _manifest_dep(
    name: str, spec: str, where: SourceLocation, col: Collector, *, dev: bool
) -> None:
    real, wanted = name, spec.strip()
    if wanted.startswith("npm:"):
        real, _, wanted = wanted[4:].rpartition("@") if "@" in wanted[5:] else (wanted[4:], "", "")
        real = real or wanted
    if wanted.startswith(_GIT_PREFIXES) or (
        "://" not in wanted and _GITHUB_SHORT.fullmatch(wanted) and not wanted[0].isdigit()
    ):
        _git_spec(real, wanted, where, col, dev=dev)
        return
    if wanted.startswith(_LOCAL_PREFIXES) or "://" in wanted:
        col.skip(f"{name}@{redact_url(wanted)}", "local, workspace or URL dependency", where.line)
        return
    exact = _EXACT.fullmatch(wanted)
    version = exact.group(1) if exact else None
    comp = Component(
        purl=npm_purl(real, version),
        ecosystem="npm",
        name=real,
        version=version,
        evidence=VersionEvidence(
            EvidenceKind.LOCKFILE if version else EvidenceKind.UNRESOLVED,
            col.path if version else None,
            "exact version in package.json" if version else "",
        ),
        requirement=spec,
        source=where,
        dev=dev,
    )
    col.components.append(comp)
    if version is None:
        col.findings.append(unpinned(comp, f"{name}@{spec}"))


def _git_spec(name: str, spec: str, where: SourceLocation, col: Collector, *, dev: bool) -> None:
    short = _GITHUB_SHORT.fullmatch(spec) if "://" not in spec else None
    if short is not None:
        url, ref = f"https://github.com/{short[1]}/{short[2]}", short[3]
    else:
        url, _, ref = spec.partition("#")
        url = url.removeprefix("git+")
    ref = ref.removeprefix("commit=") if ref else None
    add_git(
        col,
        name,
        url,
        ref,
        version=None,
        where=where,
        ecosystem_hint="npm",
        requirement=spec,
        dev=dev,
    )


def read_package_lock(path: Path) -> LockfileResult:
    """Read package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 or 3."""
    text = read_text(path)
    data = load_json(path, text)
    version = data.get("lockfileVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LockfileError(str(path), "not a package-lock.json: no integer 'lockfileVersion'")
    col = Collector(str(path), f"package-lock v{version}")
    packages = data.get("packages")
    if version >= 2 and packages is not None:
        if not isinstance(packages, dict):
            raise LockfileError(str(path), "'packages' is not an object")
        _packages(packages, text, col)
    else:
        deps = data.get("dependencies", {})
        if not isinstance(deps, dict):
            raise LockfileError(str(path), "'dependencies' is not an object")
        lines = key_lines(text, _V1_KEY)
        _v1_tree(deps, lines, col, depth=0)
    return col.result()


def _declared(entry: object) -> set[str]:
    """The dependency names a project or workspace folder entry declares."""
    out: set[str] = set()
    if isinstance(entry, dict):
        for fld in DEP_FIELDS:
            deps = entry.get(fld)
            if isinstance(deps, dict):
                out.update(str(k) for k in deps)
    return out


def _project_entry(key: str, entry: object, line: int | None, col: Collector) -> None:
    """The root project or a workspace folder: reported as skipped, never as a dependency."""
    name = entry.get("name") if isinstance(entry, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    label = name if isinstance(name, str) and name else key or "(root)"
    if isinstance(version, str) and version:
        label = f"{label}@{version}"
    what = "the project itself" if not key else f"workspace folder {key!r}"
    col.skip(label, f"{what}: local source, not a registry package", line)


def _packages(packages: dict[str, Any], text: str, col: Collector) -> None:
    lines = key_lines(text, _LOCK_KEY)
    # Each folder entry ("" for the root, "packages/a" for a workspace) declares its own
    # dependencies. npm hoists a workspace's dependencies to the top node_modules, so a top-level
    # package is direct when any folder declares it; a nested one when its own folder does.
    folders = {k: _declared(v) for k, v in packages.items() if "node_modules/" not in k}
    anywhere = set().union(*folders.values()) if folders else set()
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "package-lock packages")
    for key, entry in packages.items():
        line = lines.get(key)
        if key in folders:
            _project_entry(key, entry, line, col)
            continue
        if not isinstance(entry, dict):
            col.skip(key, "entry is not an object", line)
            continue
        if entry.get("link") is True:
            target = entry.get("resolved")
            col.skip(key, f"link to the workspace folder {target!r}, not a registry package", line)
            continue
        alias = npm_name(key)
        real = entry.get("name")
        name = real if isinstance(real, str) else alias
        owner = key[: key.rfind("node_modules/")].rstrip("/")
        if owner in folders:
            is_direct = alias in (anywhere if not owner else folders[owner])
        else:
            is_direct = False  # nested under another package
        _locked(
            name,
            entry,
            key,
            line,
            col,
            evidence,
            direct=is_direct,
            dev=bool(entry.get("dev") or entry.get("devOptional")),
        )


def _locked(
    name: str,
    entry: dict[str, Any],
    subject: str,
    line: int | None,
    col: Collector,
    evidence: VersionEvidence,
    *,
    direct: bool,
    dev: bool,
) -> None:
    version = entry.get("version")
    resolved = entry.get("resolved") if isinstance(entry.get("resolved"), str) else None
    where = SourceLocation(col.path, line)
    if not isinstance(version, str) or not version:
        col.skip(subject, "entry without a version", line)
        return
    if version.startswith("npm:"):  # v1 alias: "npm:real-name@1.2.3"
        name, _, version = version[4:].rpartition("@")
    ref = resolved or version
    registry = ref.startswith("http") and not ref.startswith("https://codeload.github.com/")
    if not registry and ref.startswith((*_GIT_PREFIXES, "https://codeload.github.com/")):
        url, _, commit = ref.partition("#")
        add_git(
            col,
            name,
            url.removeprefix("git+"),
            commit or None,
            version=version if resolved else None,
            where=where,
            ecosystem_hint="npm",
            direct=direct,
            dev=dev,
        )
        return
    if not registry and (ref.startswith(("file:", "link:")) or (not resolved and "/" in version)):
        col.skip(f"{subject} ({redact_url(ref)})", "local file or link dependency", line)
        return
    digests = sri_digests(entry.get("integrity"), col, subject, line)
    artifacts: tuple[Artifact, ...] = ()
    if resolved:
        filename = resolved.rpartition("/")[2] if "/" in resolved else None
        artifacts = (Artifact(filename, redact_url(resolved), digests),)
    elif digests:
        artifacts = (Artifact(digests=digests),)
    comp = Component(
        purl=npm_purl(name, version),
        ecosystem="npm",
        name=name,
        version=version,
        evidence=evidence,
        artifacts=artifacts,
        source=where,
        direct=direct,
        dev=dev,
    )
    col.components.append(comp)
    if not digests and not entry.get("inBundle") and not entry.get("bundled"):
        col.findings.append(no_digest(comp))
    if entry.get("hasInstallScript") is True:
        col.findings.append(install_scripts(comp, "hasInstallScript"))


def _v1_tree(deps: dict[str, Any], lines: dict[str, int], col: Collector, *, depth: int) -> None:
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "package-lock dependencies")
    stack: list[tuple[dict[str, Any], int]] = [(deps, depth)]
    while stack:  # iterative: deeply nested trees must not hit the recursion limit
        level, d = stack.pop()
        for name, entry in level.items():
            line = lines.get(name)
            if not isinstance(entry, dict):
                col.skip(name, "entry is not an object", line)
                continue
            _locked(
                name,
                entry,
                name,
                line,
                col,
                evidence,
                direct=d == 0,
                dev=bool(entry.get("dev")),
            )
            nested = entry.get("dependencies")
            if isinstance(nested, dict):
                stack.append((nested, d + 1))
