"""Where local tool caches live, and the exact versions a floating launch last installed there.

Layouts read (nothing is executed, nothing is fetched):

* npx (npm 7+): ``<npm cache>/_npx/<key>/`` where ``key`` is the first 16 hex digits of the sha512
  of the requested package specs, sorted and joined by newlines. The installed version is in
  ``<key>/node_modules/<name>/package.json``. Newer npm also records the specs in the entry's
  ``package.json`` under ``_npx.packages``; older npm only lists ``dependencies``.
* uv: ``<uv tools>/<name>/uv-receipt.toml`` for ``uv tool install``-ed tools (``uvx`` prefers
  them), and ``uvx``'s cached environments under ``<uv cache>/environments-v2/``: current uv
  (checked with uv 0.13) writes ``<16 hex>/<16 hex>`` symlinks into ``archive-v0/<id>/``, with no
  name; older uv wrote ``<name>-<16 hex>/`` folders. A nameless environment belongs to its roots
  (the distributions nothing else in it requires). The version is the ``Version:`` of
  ``<name>-<version>.dist-info/METADATA`` in ``lib/python*/site-packages``
  (``Lib/site-packages`` on Windows).

:mod:`scanner.inventory.launch.cachetree` reads the whole tree of an entry found here.
* pipx: ``<PIPX_HOME>/.cache/<key>/`` (``pipx run``) and ``<PIPX_HOME>/venvs/<name>/``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import InputError
from scanner.inventory import _decode
from scanner.inventory.launch.cachetree import (
    CachedPackage,
    listdir,
    normalize_pypi,
    npx_tree,
    venv_roots,
    venv_tree,
)

__all__ = ["CachedPackage", "ToolCaches", "normalize_pypi", "npx_key"]

_ENV_DIR = re.compile(r"^(.+)-[0-9a-f]{16}$")
_HASH_DIR = re.compile(r"^[0-9a-f]{16}$")


def npx_key(packages: Iterable[str]) -> str:
    """The npx cache key npm computes for a set of requested package specs."""
    joined = "\n".join(sorted(packages))
    return hashlib.sha512(joined.encode()).hexdigest()[:16]


class _Memo:
    """Directory listings and parsed files, read at most once per ToolCaches instance."""

    def __init__(self) -> None:
        self.npx_index: list[tuple[Path, tuple[str, ...] | None, frozenset[str]]] | None = None
        self.uv_envs: dict[str, list[Path]] | None = None
        self.pipx_runs: list[Path] | None = None
        self.venvs: dict[Path, tuple[CachedPackage, ...]] = {}
        self.npx: dict[Path, tuple[CachedPackage, ...]] = {}


@dataclass(frozen=True, slots=True)
class ToolCaches:
    """Where the local npx / uv / pipx caches live. A missing directory simply resolves nothing."""

    npx_cache: Path | None = None  # the ``_npx`` folder inside the npm cache
    uv_tools: Path | None = None  # ``uv tool dir``
    uv_cache: Path | None = None  # ``uv cache dir``
    pipx_homes: tuple[Path, ...] = ()  # PIPX_HOME candidates, each holding venvs/ and .cache/
    home: Path | None = None  # for ``~`` in launch commands
    _memo: _Memo = field(default_factory=_Memo, init=False, repr=False, compare=False)

    @classmethod
    def default(cls, home: Path, platform: str, env: Mapping[str, str]) -> ToolCaches:
        """The locations npm, uv and pipx use on ``platform`` (``sys.platform`` values)."""
        windows = platform.lower().startswith("win")
        mac = platform.lower() in {"darwin", "macos"}

        def var(name: str) -> Path | None:
            value = env.get(name) or env.get(name.upper()) or env.get(name.lower())
            return Path(value) if value else None

        local_appdata = var("LOCALAPPDATA") or home / "AppData" / "Local"
        appdata = var("APPDATA") or home / "AppData" / "Roaming"
        xdg_data = var("XDG_DATA_HOME") or home / ".local" / "share"
        xdg_cache = var("XDG_CACHE_HOME") or home / ".cache"

        npm_cache = var("npm_config_cache") or (
            local_appdata / "npm-cache" if windows else home / ".npm"
        )
        uv_tools = var("UV_TOOL_DIR") or (
            appdata / "uv" / "data" / "tools" if windows else xdg_data / "uv" / "tools"
        )
        uv_cache = var("UV_CACHE_DIR") or (
            local_appdata / "uv" / "cache" if windows else xdg_cache / "uv"
        )
        pipx_home = var("PIPX_HOME")
        if pipx_home is not None:
            pipx: tuple[Path, ...] = (pipx_home,)
        elif windows:
            pipx = (home / "pipx", local_appdata / "pipx", home / ".local" / "pipx")
        elif mac:
            pipx = (home / ".local" / "pipx", home / "Library" / "Application Support" / "pipx")
        else:
            pipx = (xdg_data / "pipx", home / ".local" / "pipx")
        return cls(
            npx_cache=npm_cache / "_npx",
            uv_tools=uv_tools,
            uv_cache=uv_cache,
            pipx_homes=pipx,
            home=home,
        )

    # ------------------------------------------------------------------ npx

    def npx_version(self, name: str, packages: tuple[str, ...]) -> tuple[str, Path] | None:
        """Version of npm package ``name`` installed for ``npx <packages>``, with the entry."""
        if self.npx_cache is None:
            return None
        entry = self.npx_cache / npx_key(packages)
        version = _npm_installed(entry, name)
        if version is not None:
            return version, entry
        # The key did not match (another npm version, or the specs were written differently):
        # fall back to entries that recorded the same specs, else (older npm) the same dependency.
        wanted = tuple(sorted(packages))
        best: tuple[float, str, Path] | None = None
        for path, specs, deps in self._npx_index():
            if (specs is not None and tuple(sorted(specs)) != wanted) or (
                specs is None and name not in deps
            ):
                continue
            version = _npm_installed(path, name)
            if version is None:
                continue
            mtime = _mtime(path / "node_modules")
            if best is None or mtime > best[0]:
                best = (mtime, version, path)
        return (best[1], best[2]) if best else None

    def _npx_index(self) -> list[tuple[Path, tuple[str, ...] | None, frozenset[str]]]:
        memo = self._memo
        if memo.npx_index is None:
            memo.npx_index = []
            for entry in listdir(self.npx_cache):
                data = _read_json(entry / "package.json")
                if not isinstance(data, dict):
                    continue
                npx = data.get("_npx")
                specs = npx.get("packages") if isinstance(npx, dict) else None
                deps = data.get("dependencies")
                memo.npx_index.append(
                    (
                        entry,
                        tuple(s for s in specs if isinstance(s, str))
                        if isinstance(specs, list)
                        else None,
                        frozenset(deps) if isinstance(deps, dict) else frozenset(),
                    )
                )
        return memo.npx_index

    # ------------------------------------------------------------------ uv

    def uv_version(self, name: str, version: str | None = None) -> tuple[str, Path] | None:
        """Version of PyPI project ``name`` in an installed uv tool or a cached uvx environment.

        With ``version`` (an exact launch) only an environment holding that version counts.
        """
        norm = normalize_pypi(name)
        if self.uv_tools is not None:
            tool = self.uv_tools / norm
            if _receipt_names(tool / "uv-receipt.toml") & {norm}:
                found = self._site_version(tool, norm)
                if found is not None and version in (None, found):
                    return found, tool
        best: tuple[float, str, Path] | None = None
        for env in self._uv_envs().get(norm, ()):
            found = self._site_version(env, norm)
            if found is not None and version in (None, found):
                mtime = _mtime(env)
                if best is None or mtime > best[0]:
                    best = (mtime, found, env)
        return (best[1], best[2]) if best else None

    def _uv_envs(self) -> dict[str, list[Path]]:
        memo = self._memo
        if memo.uv_envs is None:
            memo.uv_envs = {}
            root = self.uv_cache / "environments-v2" if self.uv_cache else None
            for env in listdir(root):
                match = _ENV_DIR.match(env.name)
                if match:  # older uv: <name>-<hash>/ is the environment
                    memo.uv_envs.setdefault(normalize_pypi(match.group(1)), []).append(env)
                elif _HASH_DIR.match(env.name):  # uv 0.8+: <hash>/<hash> -> archive-v0/<id>
                    for link in listdir(env):
                        for root_name in venv_roots(self.venv_tree(link)):
                            memo.uv_envs.setdefault(root_name, []).append(link)
        return memo.uv_envs

    # ------------------------------------------------------------------ pipx

    def pipx_version(self, name: str, version: str | None = None) -> tuple[str, Path] | None:
        """Version of ``name`` in a ``pipx run`` cache venv, else in a pipx-installed venv."""
        norm = normalize_pypi(name)
        memo = self._memo
        if memo.pipx_runs is None:
            memo.pipx_runs = [v for h in self.pipx_homes for v in listdir(h / ".cache")]
        best: tuple[float, str, Path] | None = None
        for venv in memo.pipx_runs:
            found = self._site_version(venv, norm)
            if found is not None and version in (None, found):
                mtime = _mtime(venv)
                if best is None or mtime > best[0]:
                    best = (mtime, found, venv)
        if best is not None:
            return best[1], best[2]
        for home in self.pipx_homes:
            venv = home / "venvs" / norm
            data = _read_json(venv / "pipx_metadata.json")
            main = data.get("main_package") if isinstance(data, dict) else None
            if isinstance(main, dict) and isinstance(main.get("package_version"), str):
                package = main.get("package")
                installed = main["package_version"]
                if (
                    isinstance(package, str)
                    and normalize_pypi(package) == norm
                    and version in (None, installed)
                ):
                    return installed, venv
        return None

    # ------------------------------------------------------------------ shared

    def venv_tree(self, venv: Path) -> tuple[CachedPackage, ...]:
        """Every distribution installed in a cached or tool venv (read once)."""
        tree = self._memo.venvs.get(venv)
        if tree is None:
            tree = self._memo.venvs[venv] = venv_tree(venv)
        return tree

    def npx_tree(self, entry: Path) -> tuple[CachedPackage, ...]:
        """Every package installed in one npx cache entry (read once)."""
        tree = self._memo.npx.get(entry)
        if tree is None:
            tree = self._memo.npx[entry] = npx_tree(entry)
        return tree

    def _site_version(self, venv: Path, norm: str) -> str | None:
        return next((p.version for p in self.venv_tree(venv) if p.name == norm), None)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except (OSError, ValueError):
        return 0.0


def _read_json(path: Path) -> object:
    # The shared reader: a FIFO or device planted in a cache is refused, never waited on.
    try:
        return _decode.load_json(_decode.read_text(path, InputError), str(path), InputError)
    except InputError:
        return None


def _npm_installed(entry: Path, name: str) -> str | None:
    data = _read_json(entry.joinpath("node_modules", *name.split("/"), "package.json"))
    if not isinstance(data, dict) or data.get("name") != name:
        return None
    version = data.get("version")
    return version if isinstance(version, str) and version else None


def _receipt_names(path: Path) -> set[str]:
    try:
        data = _decode.load_toml(_decode.read_text(path, InputError), str(path), InputError)
    except InputError:
        return set()
    if not isinstance(data, dict):
        return set()
    tool = data.get("tool")
    reqs = tool.get("requirements") if isinstance(tool, dict) else None
    if not isinstance(reqs, list):
        return set()
    return {
        normalize_pypi(r["name"])
        for r in reqs
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    }
