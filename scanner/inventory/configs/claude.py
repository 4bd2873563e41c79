"""Claude Code configs that only its own files point to: project ``.mcp.json`` and plugins.

1. Projects: every folder listed under ``projects`` in ``~/.claude.json`` is a project Claude Code
   has opened; its ``<folder>/.mcp.json`` is read as that project's (scope ``project``).
2. Plugins (docs: code.claude.com/docs/en/plugins-reference): an installed plugin lives in
   ``<claude dir>/plugins/cache/<marketplace>/<plugin>/<version>/`` or wherever
   ``plugins/installed_plugins.json`` says (``installPath``, v1 and v2 layouts). Its MCP servers are
   in ``.mcp.json`` at the plugin root, inline under ``mcpServers`` in
   ``.claude-plugin/plugin.json``, or in the file(s) that ``mcpServers`` names (paths relative to
   the plugin root).

Only the keys that name other files are read here; the configs themselves are read by
:mod:`scanner.inventory.configs.read` like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from scanner.errors import ConfigError
from scanner.inventory._decode import load_json, read_text
from scanner.models import Scope

CLAUDE = "claude-code"


def _json(path: Path) -> object:
    try:  # the shared reader and loader: a pipe or device here is refused, never awaited
        return load_json(read_text(path, ConfigError), str(path), ConfigError)
    except ConfigError:
        return None  # the file itself is read (and its errors reported) as a config


def project_dirs(claude_json: Path) -> list[Path]:
    """The project folders ``~/.claude.json`` lists, in file order."""
    data = _json(claude_json)
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, dict):
        return []
    return [Path(str(key)) for key in projects if str(key)]


def _install_paths(plugins: Path) -> Iterator[Path]:
    data = _json(plugins / "installed_plugins.json")
    table = data.get("plugins") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        return
    for value in table.values():
        for install in value if isinstance(value, list) else [value]:
            path = install.get("installPath") if isinstance(install, dict) else None
            if isinstance(path, str) and path:
                yield Path(path)


def plugin_roots(claude_dir: Path) -> list[Path]:
    """Installed plugin folders: those the install index names, then the plugin cache."""
    plugins = claude_dir / "plugins"
    roots = dict.fromkeys(_install_paths(plugins))
    cache = plugins / "cache"
    if cache.is_dir():
        try:
            found = sorted(p for p in cache.glob("*/*/*") if p.is_dir())
        except OSError:
            found = []
        roots.update(dict.fromkeys(found))
    return [r for r in roots if r.is_dir()]


def plugin_configs(root: Path) -> list[Path]:
    """The files that hold one plugin's MCP servers."""
    out: list[Path] = []
    if (root / ".mcp.json").is_file():
        out.append(root / ".mcp.json")
    manifest = root / ".claude-plugin" / "plugin.json"
    data = _json(manifest)
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if isinstance(servers, dict):
        out.append(manifest)
    elif isinstance(servers, str | list):
        for rel in [servers] if isinstance(servers, str) else servers:
            if isinstance(rel, str) and rel:
                path = (root / rel).resolve()
                if path.is_file() and path.is_relative_to(root.resolve()) and path not in out:
                    out.append(path)
    return out


def claude_locations(claude_json: Path, claude_dir: Path) -> list[tuple[Path, Scope, str | None]]:
    """(config path, scope, project) of project ``.mcp.json`` files and plugin configs."""
    out: list[tuple[Path, Scope, str | None]] = [
        (project / ".mcp.json", Scope.PROJECT, str(project))
        for project in project_dirs(claude_json)
        if (project / ".mcp.json").is_file()
    ]
    for root in plugin_roots(claude_dir):
        out.extend((path, Scope.USER, None) for path in plugin_configs(root))
    return out
