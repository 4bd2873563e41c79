"""Find the MCP client config files that exist on a machine.

File contents are read only where a client's own index names further configs: the project list
in ``~/.claude.json`` and Claude Code's plugin index (see :mod:`scanner.inventory.configs.claude`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.inventory.configs.claude import CLAUDE, claude_locations
from scanner.inventory.configs.clients import CLIENTS, ConfigPath
from scanner.models import Scope


@dataclass(frozen=True, slots=True)
class ConfigLocation:
    """An existing config file of one client, at one scope (``project`` for project files)."""

    client: str
    path: Path
    scope: Scope
    project: str | None = None


def _env_dir(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value) if value else None


def _tokens(
    home: Path, platform: str, env: Mapping[str, str], system_root: Path
) -> dict[str, Path]:
    """Values of the path-template tokens (see :mod:`scanner.inventory.configs.clients`)."""
    xdg = _env_dir(env, "XDG_CONFIG_HOME") or home / ".config"
    appdata = _env_dir(env, "APPDATA") or home / "AppData" / "Roaming"
    if platform == "win32":
        appconfig = appdata
    elif platform == "darwin":
        appconfig = home / "Library" / "Application Support"
    else:
        appconfig = xdg
    return {
        "home": home,
        "xdg": xdg,
        "appdata": appdata,
        "appconfig": appconfig,
        "codex_home": _env_dir(env, "CODEX_HOME") or home / ".codex",
        "claude_config_dir": _env_dir(env, "CLAUDE_CONFIG_DIR") or home,
        "claude_dir": _env_dir(env, "CLAUDE_CONFIG_DIR") or home / ".claude",
        "system": system_root,
        "programdata": _env_dir(env, "PROGRAMDATA") or system_root / "ProgramData",
    }


def _expand(template: str, tokens: Mapping[str, Path]) -> list[Path]:
    """Existing files matching a template whose tokens are all known (globs expanded)."""
    token, _, rest = template[1:].partition("}")
    base = tokens[token]
    parts = [p for p in rest.split("/") if p]
    if not any("*" in p for p in parts):
        candidate = base.joinpath(*parts)
        return [candidate] if candidate.is_file() else []
    first = next(i for i, p in enumerate(parts) if "*" in p)
    root = base.joinpath(*parts[:first])
    if not root.is_dir():
        return []
    try:
        found = sorted(root.glob("/".join(parts[first:])))
    except OSError:
        return []
    return [p for p in found if p.is_file()]


def _applies(where: ConfigPath, platform: str) -> bool:
    return platform in where.platforms


def discover(
    home: Path,
    *,
    platform: str = sys.platform,
    project_dirs: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    system_root: Path | None = None,
) -> tuple[ConfigLocation, ...]:
    """Every existing MCP client config under ``home``, the projects and the system root.

    ``env`` supplies APPDATA / XDG_CONFIG_HOME / CODEX_HOME / CLAUDE_CONFIG_DIR / PROGRAMDATA
    (default ``os.environ``); ``system_root`` (default ``/``, ``C:/`` on win32) is where managed
    configs are looked up. Per-project servers inside ``~/.claude.json`` are not locations:
    :func:`scanner.inventory.configs.read.read_config` returns them with ``project`` set; the
    ``.mcp.json`` of each project it lists, and Claude Code plugins' configs, are.
    """
    env = os.environ if env is None else env
    if system_root is None:
        system_root = Path("C:/") if platform == "win32" else Path("/")
    tokens = _tokens(home, platform, env, system_root)
    found: dict[tuple[str, Path, Scope, str | None], None] = {}
    for spec in CLIENTS.values():
        for where in spec.paths:
            if not _applies(where, platform):
                continue
            if where.scope is Scope.PROJECT:
                for project in project_dirs:
                    scoped = {**tokens, "project": project}
                    for path in _expand(where.template, scoped):
                        found[(spec.id.value, path, where.scope, str(project))] = None
            else:
                for path in _expand(where.template, tokens):
                    found[(spec.id.value, path, where.scope, None)] = None
    seen = {p.resolve() for c, p, _, _ in found if c == CLAUDE}
    claude_json = tokens["claude_config_dir"] / ".claude.json"
    for path, scope, label in claude_locations(claude_json, tokens["claude_dir"]):
        if path.resolve() not in seen:  # a project also named with --project is read once
            seen.add(path.resolve())
            found[(CLAUDE, path, scope, label)] = None
    return tuple(ConfigLocation(c, p, s, proj) for c, p, s, proj in found)
