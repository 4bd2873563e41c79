"""The whole package tree a tool cache holds for one launch: an npx entry or a Python venv.

Read without executing anything:

* npx: ``<entry>/node_modules/.package-lock.json`` (npm's hidden lockfile: what is installed),
  else ``<entry>/package-lock.json``. Each ``packages`` key ``node_modules/.../<name>`` is one
  installed package with its ``version``, ``integrity`` and ``hasInstallScript``.
* a venv (uvx environment, uv tool, pipx): every ``*.dist-info`` in its site-packages, with
  ``Name``, ``Version`` and ``Requires-Dist`` from the header block of ``METADATA``. The roots
  (distributions no other one requires) are what the environment was created for.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import InputError
from scanner.inventory import _decode

_DIST_INFO = re.compile(r"^(.+?)-([^-]+)\.dist-info$", re.IGNORECASE)
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PEP503 = re.compile(r"[-_.]+")
_MAX_METADATA = 256 * 1024
_MAX_LOCK = 32 * 1024 * 1024  # a lock this large is not an npx entry; read nothing


def normalize_pypi(name: str) -> str:
    """PEP 503 normalised project name."""
    return _PEP503.sub("-", name).lower()


@dataclass(frozen=True, slots=True)
class CachedPackage:
    """One package installed in a tool cache entry, and the file that says so."""

    name: str  # npm name as written; PyPI name PEP 503 normalised
    version: str
    source: Path
    integrity: str | None = None  # npm SRI as the lock records it
    install_script: bool = False  # npm ``hasInstallScript``
    requires: frozenset[str] = frozenset()  # PyPI: normalised names in Requires-Dist


def listdir(path: Path | None) -> list[Path]:
    """Sub-directories of ``path`` (symlinks to directories included); [] when unreadable."""
    if path is None:
        return []
    try:
        with os.scandir(path) as it:
            return [Path(e.path) for e in it if e.is_dir()]
    except (OSError, ValueError):
        return []


def site_packages(venv: Path) -> list[Path]:
    """The site-packages folders of a venv (POSIX ``lib/python*``, Windows ``Lib``)."""
    found = [lib / "site-packages" for lib in listdir(venv / "lib") if lib.name.startswith("py")]
    windows = venv / "Lib" / "site-packages"
    if windows.is_dir() and windows not in found:
        found.append(windows)
    return found


def _metadata(path: Path) -> tuple[str | None, str | None, frozenset[str]]:
    """(Name, Version, Requires-Dist names) from the header block of a METADATA file."""
    raw = _decode.read_head(path, _MAX_METADATA)  # None for a FIFO or device: never waited on
    if raw is None:
        return None, None, frozenset()
    head = raw.decode("utf-8", "replace")
    name = version = None
    requires: set[str] = set()
    for line in head.splitlines():
        if not line:
            break  # end of the header block
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "name":
            name = value.strip() or None
        elif key == "version":
            version = value.strip() or None
        elif key == "requires-dist":
            match = _REQ_NAME.match(value)
            if match:
                requires.add(normalize_pypi(match.group(1)))
    return name, version, frozenset(requires)


def venv_tree(venv: Path) -> tuple[CachedPackage, ...]:
    """Every distribution installed in ``venv``, sorted by name."""
    found: dict[str, CachedPackage] = {}
    for site in site_packages(venv):
        for entry in listdir(site):
            match = _DIST_INFO.match(entry.name)
            if not match:
                continue
            meta = entry / "METADATA"
            name, version, requires = _metadata(meta)
            norm = normalize_pypi(name or match.group(1))
            found.setdefault(
                norm, CachedPackage(norm, version or match.group(2), meta, requires=requires)
            )
    return tuple(found[k] for k in sorted(found))


def venv_roots(tree: tuple[CachedPackage, ...]) -> frozenset[str]:
    """Distributions no other distribution in the tree requires: what the venv was made for."""
    required = {r for p in tree for r in p.requires if r != p.name}
    return frozenset(p.name for p in tree if p.name not in required)


def npx_tree(entry: Path) -> tuple[CachedPackage, ...]:
    """Every package npm installed into one npx cache entry, in lock order."""
    for lock in (entry / "node_modules" / ".package-lock.json", entry / "package-lock.json"):
        try:
            if lock.stat().st_size > _MAX_LOCK:
                continue
            data = _decode.load_json(_decode.read_text(lock, InputError), str(lock), InputError)
        except (OSError, InputError):
            continue
        packages = data.get("packages") if isinstance(data, dict) else None
        if isinstance(packages, dict):
            return tuple(_npm_packages(packages, lock))
    return ()


def _npm_packages(packages: dict[str, object], lock: Path) -> list[CachedPackage]:
    out: dict[tuple[str, str], CachedPackage] = {}
    for key, value in packages.items():
        if not key or not isinstance(value, dict) or value.get("link"):
            continue  # "" is the entry itself; links point at local folders
        tail = key.rpartition("node_modules/")[2]
        name = value.get("name") if isinstance(value.get("name"), str) else tail
        version = value.get("version")
        if not isinstance(name, str) or not name or not isinstance(version, str):
            continue
        integrity = value.get("integrity")
        out.setdefault(
            (name, version),
            CachedPackage(
                name,
                version,
                lock,
                integrity if isinstance(integrity, str) else None,
                value.get("hasInstallScript") is True,
            ),
        )
    return list(out.values())
