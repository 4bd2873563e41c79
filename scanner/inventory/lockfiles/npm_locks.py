"""pnpm-lock.yaml (v5, v6, v9) and yarn.lock (classic v1 text, berry YAML).

Yarn berry's ``checksum`` is the SHA-512 of the package *zip in yarn's cache*, not of the npm
tarball, so it cannot be compared with npm's ``integrity``. It is kept with the algorithm name
``yarn-berry-sha512`` (hex as written, any ``<cacheKey>/`` prefix dropped from ``hex`` but kept
in ``raw``) so nothing later mistakes it for a registry digest.
"""

from __future__ import annotations

import re
from pathlib import Path

from scanner.errors import LockfileError
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
    add_locked,
    install_scripts,
    key_lines,
    load_yaml,
    read_text,
    redact_url,
)
from scanner.inventory.lockfiles._lockdigests import sri_digests
from scanner.models import Artifact, Digest, EvidenceKind, SourceLocation, VersionEvidence

BERRY_ALGORITHM = "yarn-berry-sha512"
_PNPM_KEY = re.compile(r"\n  ['\"]?([^'\"\n]+?)['\"]?:(?=\n)")
_BERRY_KEY = re.compile(r"\n\"?([^\"\n]+?)\"?:(?=\n)")
_HEX = re.compile(r"(?:[0-9a-z]+/)?([0-9a-f]{128})")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_FIELD = re.compile(r'  (\w+):? "?([^"\n]*)"?')


def _split_name(spec: str) -> tuple[str, str]:
    """``@scope/name@1.2.3`` -> (``@scope/name``, ``1.2.3``)."""
    at = spec.find("@", 1)
    return (spec, "") if at < 0 else (spec[:at], spec[at + 1 :])


def _pnpm_key(key: str, major: int) -> tuple[str, str]:
    key = key.lstrip("/")
    key = key.partition("(")[0]  # v6/v9 peer suffix: name@1.0.0(react@18.2.0)
    if major < 6:  # v5: /name/1.0.0_peer@1.0.0 or /@scope/name/1.0.0
        name, _, version = key.rpartition("/")
        return name, version.partition("_")[0]
    return _split_name(key)


def _scalar(value: object) -> str:
    """A YAML scalar as text (``1.0`` may load as a float); "" for a list or mapping."""
    return "" if isinstance(value, dict | list | set) else str(value)


def read_pnpm_lock(path: Path) -> LockfileResult:
    """Read pnpm-lock.yaml: lockfileVersion 5.x, 6.x and 9.x."""
    text = read_text(path)
    data = load_yaml(path, text)
    raw_version = data.get("lockfileVersion")
    try:  # only a number or a numeric string: str() of a list could be as big as the file
        if not isinstance(raw_version, str | int | float) or isinstance(raw_version, bool):
            raise ValueError(raw_version)
        major = int(float(raw_version))
    except (ValueError, OverflowError):  # OverflowError: .inf
        raise LockfileError(str(path), "not a pnpm-lock.yaml: no lockfileVersion") from None
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise LockfileError(str(path), "'packages' is not a mapping")
    importers = data.get("importers")
    # Each importer (the root "." and every workspace folder) declares its own dependencies;
    # a package is direct when any of them declares it. v5 without importers: the top level.
    roots = dict(importers) if isinstance(importers, dict) else {".": data}
    runtime: set[str] = set()
    devs: set[str] = set()
    for importer in roots.values():
        if not isinstance(importer, dict):
            continue
        for fld in ("dependencies", "optionalDependencies", "devDependencies"):
            deps = importer.get(fld)
            if isinstance(deps, dict):
                (devs if fld == "devDependencies" else runtime).update(str(k) for k in deps)
    devs -= runtime
    lines = key_lines(text, _PNPM_KEY)
    col = Collector(str(path), f"pnpm-lock v{major}")
    if isinstance(importers, dict):
        for folder in importers:
            what = "the project itself" if folder == "." else f"workspace folder {folder!r}"
            col.skip(str(folder), f"{what}: local source, not a registry package")
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "pnpm-lock packages")
    seen: set[tuple[str, str]] = set()
    for key, entry in packages.items():
        key = str(key)
        line = lines.get(key)
        if not isinstance(entry, dict):
            col.skip(key, "entry is not a mapping", line)
            continue
        name, version = _pnpm_key(key, major)
        name = entry["name"] if isinstance(entry.get("name"), str) else name
        version = _scalar(entry["version"]) if entry.get("version") is not None else version
        if (name, version) in seen:
            continue  # v5/v6 list one entry per peer-dependency variant
        seen.add((name, version))
        resolution = entry.get("resolution")
        resolution = resolution if isinstance(resolution, dict) else {}
        where = SourceLocation(col.path, line)
        dev = bool(entry.get("dev")) if "dev" in entry else name in devs
        direct = name in runtime or name in devs
        if resolution.get("type") == "git" or isinstance(resolution.get("commit"), str):
            add_git(
                col,
                name,
                _scalar(resolution.get("repo", key)),
                _scalar(resolution.get("commit") or "") or None,
                version=version or None,
                where=where,
                ecosystem_hint="npm",
                dev=dev,
                direct=direct,
            )
            continue
        if "directory" in resolution or version.startswith(("link:", "file:")) or not name:
            col.skip(key, "local directory or link, not a registry package", line)
            continue
        if not version:
            col.skip(key, "entry without a version", line)
            continue
        tarball = resolution.get("tarball") if isinstance(resolution.get("tarball"), str) else None
        digests = sri_digests(resolution.get("integrity"), col, key, line)
        artifacts = (
            (Artifact(None, redact_url(tarball) if tarball else None, digests),)
            if digests or tarball
            else ()
        )
        add_locked(col, "npm", name, version, evidence, artifacts, where, direct=direct, dev=dev)
        if entry.get("requiresBuild") is True:
            col.findings.append(install_scripts(col.components[-1], "requiresBuild"))
    return col.result()


def read_yarn_lock(path: Path) -> LockfileResult:
    """Read yarn.lock: classic (v1 text) or berry (YAML with ``__metadata``)."""
    text = read_text(path)
    if "\n__metadata:" in text or text.startswith("__metadata:"):
        return _berry(path, text)
    return _classic(path, text)


def _classic(path: Path, text: str) -> LockfileResult:
    col = Collector(str(path), "yarn.lock v1")
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "yarn.lock entry")
    blocks: list[tuple[int, str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if not line.endswith(":"):
                raise LockfileError(
                    str(path), "expected 'selector:' at the start of a block", line=lineno
                )
            current = {}
            blocks.append((lineno, line[:-1], current))
        elif current is not None and line.startswith("  ") and not line.startswith("   "):
            m = _FIELD.fullmatch(line)
            if m is not None:
                current[m[1]] = m[2]
        elif current is None:
            raise LockfileError(str(path), "indented line outside a block", line=lineno)
    seen: set[tuple[str, str]] = set()
    for lineno, selectors, fields in blocks:
        first = selectors.split(",")[0].strip().strip('"')
        name, spec = _split_name(first)
        if spec.startswith("npm:"):  # alias: "alias@npm:real@^1"
            name = _split_name(spec[4:])[0]
        version = fields.get("version", "")
        resolved = fields.get("resolved", "")
        if not name or not version:
            col.skip(first or selectors, "entry without a name or version", lineno)
            continue
        if (name, version) in seen:
            continue
        seen.add((name, version))
        _yarn_entry(name, version, resolved, fields.get("integrity"), lineno, col, evidence)
    return col.result()


def _yarn_entry(
    name: str,
    version: str,
    resolved: str,
    integrity: str | None,
    line: int,
    col: Collector,
    evidence: VersionEvidence,
) -> None:
    where = SourceLocation(col.path, line)
    url, _, fragment = resolved.partition("#")
    if (
        resolved.startswith(("git+", "git:", "github:"))
        or "codeload.github.com" in url
        or (url.endswith(".git"))
    ):
        add_git(
            col,
            name,
            url.removeprefix("git+"),
            fragment or None,
            version=version,
            where=where,
            ecosystem_hint="npm",
        )
        return
    if resolved.startswith(("file:", "link:")):
        col.skip(f"{name}@{version}", "local file or link dependency", line)
        return
    digests = list(sri_digests(integrity, col, f"{name}@{version}", line))
    if fragment and _SHA1.fullmatch(fragment):
        digests.append(Digest("sha1", fragment, fragment))  # classic yarn: sha1 of the tarball
    artifacts = (
        (Artifact(url.rpartition("/")[2] or None, redact_url(url) or None, tuple(digests)),)
        if url or digests
        else ()
    )
    add_locked(col, "npm", name, version, evidence, artifacts, where)


def _berry(path: Path, text: str) -> LockfileResult:
    data = load_yaml(path, text)
    col = Collector(str(path), "yarn.lock berry")
    evidence = VersionEvidence(EvidenceKind.LOCKFILE, col.path, "yarn berry resolution")
    lines = key_lines(text, _BERRY_KEY)
    for key, entry in data.items():
        key = str(key)
        if key == "__metadata":
            continue
        line = lines.get(key)
        if not isinstance(entry, dict) or not isinstance(entry.get("resolution"), str):
            col.skip(key, "entry without a resolution", line)
            continue
        resolution: str = entry["resolution"]
        name, ref = _split_name(resolution)
        protocol, _, rest = ref.partition(":")
        version = _scalar(entry.get("version", ""))
        where = SourceLocation(col.path, line)
        if protocol == "workspace":
            what = "the project itself" if rest == "." else f"workspace folder {rest!r}"
            col.skip(resolution, f"{what}: local source, not a registry package", line)
            continue
        if protocol == "npm" and name:
            checksum = entry.get("checksum")
            digests: tuple[Digest, ...] = ()
            if isinstance(checksum, str):
                m = _HEX.fullmatch(checksum)
                if m is None:
                    col.skip(key, f"unreadable checksum {checksum!r:.40}", line)
                else:
                    digests = (Digest(BERRY_ALGORITHM, m[1], checksum),)
            artifacts = (Artifact(digests=digests),) if digests else ()
            add_locked(col, "npm", name, rest or version, evidence, artifacts, where)
        elif protocol in {"git", "git+https", "git+ssh", "https", "ssh"} and "commit=" in rest:
            url, _, frag = ref.partition("#")
            commit = frag.rpartition("commit=")[2].partition("&")[0]
            add_git(
                col,
                name,
                url,
                commit or None,
                version=version or None,
                where=where,
                ecosystem_hint="npm",
            )
        else:
            col.skip(
                f"{name}@{redact_url(ref)}",
                f"{protocol or 'unknown'}: resolution is not a plain registry package",
                line,
            )
    return col.result()
