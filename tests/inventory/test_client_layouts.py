"""Configs read the way their clients read them: VS Code workspaces, Claude projects and plugins.

Every config here is a real file (``fixtures/mcp/configs/``, sources in ``fixtures/mcp/SOURCES.md``)
placed in a layout built under ``tmp_path``; nothing reads the real home.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.inventory.configs.discover import discover
from scanner.inventory.configs.read import read_config
from scanner.inventory.launch import resolve_launch
from scanner.models import EvidenceKind, Inventory, Scope, ServerInventory
from scanner.report.formats import report_for
from scanner.report.interface import ReportOptions

CONFIGS = Path(__file__).resolve().parents[2] / "fixtures" / "mcp" / "configs"
VSCODE_REAL = CONFIGS / "gentoflakes-mcp-scratch__vscode_mcp.json"


def place(fixture: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIGS / fixture, dest)
    return dest


def inventory(home: Path, *paths: Path, projects: tuple[Path, ...] = ()) -> Inventory:
    options = InventoryOptions(
        discover=True, home=home, platform="linux", project_dirs=projects, env={},
        system_root=home / "no-system",
    )  # fmt: skip
    return build_inventory(list(paths), options)


def servers(inv: Inventory) -> dict[str, ServerInventory]:
    return {si.server.name: si for ai in inv.agents for si in ai.servers}


# ---------------------------------------------------------------- VS Code


def workspace_with_script(tmp_path: Path, config: str) -> tuple[Path, Path]:
    workspace = tmp_path / "ws"
    cfg = workspace / ".vscode" / "mcp.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(config, encoding="utf-8")
    script = workspace / "build" / "server.js"
    script.parent.mkdir()
    script.write_text("console.log('server')\n", encoding="utf-8")
    return cfg, script


def test_vscode_relative_script_resolves_from_the_workspace_folder(tmp_path: Path) -> None:
    # the real file sets "cwd": "${workspaceFolder}" and runs "node build/server.js"
    cfg, script = workspace_with_script(tmp_path, VSCODE_REAL.read_text(encoding="utf-8"))
    (entry,) = read_config(cfg)
    comp = resolve_launch(entry).components[0]
    assert comp.path == str(script)
    assert comp.evidence.kind is EvidenceKind.COMMAND_PIN and comp.version
    assert comp.version.startswith("sha256:")


def test_vscode_relative_script_without_cwd_still_resolves_from_the_workspace(
    tmp_path: Path,
) -> None:
    text = VSCODE_REAL.read_text(encoding="utf-8").replace('"cwd" : "${workspaceFolder}",', "")
    assert "cwd" not in text
    cfg, script = workspace_with_script(tmp_path, text)
    (cfg.parent / "build").mkdir()  # a decoy beside the config: VS Code does not look there
    (cfg.parent / "build" / "server.js").write_text("decoy\n", encoding="utf-8")
    (entry,) = read_config(cfg)
    assert resolve_launch(entry).components[0].path == str(script)


# ---------------------------------------------------------------- Claude Code projects


def claude_home(tmp_path: Path, projects: dict[str, dict[str, object]]) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    data = {"numStartups": 3, "projects": projects}
    (home / ".claude.json").write_text(json.dumps(data), encoding="utf-8")
    return home


def test_projects_listed_in_claude_json_are_discovered_with_their_mcp_json(
    tmp_path: Path,
) -> None:
    web, api = tmp_path / "src" / "web", tmp_path / "src" / "api"
    place("claude-plugins-official__context7.mcp.json", web / ".mcp.json")
    api.mkdir(parents=True)  # listed, but without a .mcp.json
    home = claude_home(tmp_path, {str(web): {"mcpServers": {}}, str(api): {"allowedTools": []}})
    found = discover(home, platform="linux", env={}, system_root=tmp_path / "none")
    project = [loc for loc in found if loc.scope is Scope.PROJECT]
    assert [(loc.client, loc.path, loc.project) for loc in project] == [
        ("claude-code", web / ".mcp.json", str(web))
    ]


def test_the_table_shows_which_project_a_server_belongs_to(tmp_path: Path) -> None:
    web = tmp_path / "src" / "web"
    place("claude-plugins-official__context7.mcp.json", web / ".mcp.json")
    home = claude_home(tmp_path, {str(web): {}})
    inv = inventory(home)
    assert servers(inv)["context7"].server.project == str(web)
    out = io.StringIO()
    report_for("table", ReportOptions(width=300)).inventory(inv, out)
    line = next(x for x in out.getvalue().splitlines() if "context7" in x)
    assert f"project {web}" in line


def test_a_project_named_twice_is_read_once(tmp_path: Path) -> None:
    web = tmp_path / "src" / "web"
    place("claude-plugins-official__context7.mcp.json", web / ".mcp.json")
    home = claude_home(tmp_path, {str(web): {}})
    inv = inventory(home, projects=(web,))
    names = [si.server.name for ai in inv.agents for si in ai.servers]
    assert names == ["context7"]


# ---------------------------------------------------------------- Claude Code plugins


def plugin(home: Path, name: str, version: str = "1.0.0") -> Path:
    return home / ".claude" / "plugins" / "cache" / "claude-plugins-official" / name / version


def test_plugin_mcp_configs_under_claude_plugins_are_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    context7 = plugin(home, "context7")
    place("claude-plugins-official__context7.mcp.json", context7 / ".mcp.json")
    serena = plugin(home, "serena", "0.1.4")
    place("claude-plugins-official__serena.mcp.json", serena / ".mcp.json")
    sentry = plugin(home, "sentry")
    place("sentry-for-ai__plugin.json", sentry / ".claude-plugin" / "plugin.json")
    telegram = tmp_path / "elsewhere" / "telegram"  # installed outside the cache
    place("claude-plugins-official__telegram.mcp.json", telegram / ".mcp.json")
    (telegram / "server.ts").write_text("export {}\n", encoding="utf-8")
    (telegram / ".claude-plugin").mkdir()
    (telegram / ".claude-plugin" / "plugin.json").write_text('{"name": "telegram"}')
    index = {"version": 2, "plugins": {"telegram@official": [{"installPath": str(telegram)}]}}
    (home / ".claude" / "plugins" / "installed_plugins.json").write_text(json.dumps(index))
    inv = inventory(home)
    assert not inv.errors and not [e for ai in inv.agents for e in ai.errors]
    found = servers(inv)
    assert set(found) == {"context7", "serena", "sentry", "telegram"}
    assert all(si.server.client == "claude-code" for si in found.values())
    assert found["context7"].components[0].purl == "pkg:npm/%40upstash/context7-mcp"
    assert found["sentry"].server.url is not None
    # ${CLAUDE_PLUGIN_ROOT} is the plugin's folder: the script is found and hashed
    script = found["telegram"].components[0]
    assert script.path == str(telegram / "server.ts")
    assert script.evidence.kind is EvidenceKind.COMMAND_PIN


def test_plugin_json_naming_a_servers_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = plugin(home, "context7")
    place("claude-plugins-official__context7.mcp.json", root / "config" / "servers.json")
    manifest = root / ".claude-plugin" / "plugin.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"name": "context7", "mcpServers": "./config/servers.json"}))
    assert set(servers(inventory(home))) == {"context7"}
