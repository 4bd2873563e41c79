"""discover() finds every supported client's config on linux, darwin and win32 layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.inventory.configs.clients import CLIENTS, ClientId
from scanner.inventory.configs.discover import ConfigLocation, discover
from scanner.inventory.configs.read import read_config_detailed
from scanner.models import Scope
from tests.inventory.home_layout import PLATFORMS, build_home


def _expected(paths: dict[str, Path]) -> set[ConfigLocation]:
    out: set[ConfigLocation] = set()
    for key, path in paths.items():
        if key in {"home", "project", "system_root"}:
            continue
        client, _, kind = key.partition("@")
        if kind == "project":
            out.add(ConfigLocation(client, path, Scope.PROJECT, str(paths["project"])))
        elif kind == "managed":
            out.add(ConfigLocation(client, path, Scope.MANAGED, None))
        else:
            out.add(ConfigLocation(client, path, Scope.USER, None))
    return out


def _discover(paths: dict[str, Path], platform: str) -> tuple[ConfigLocation, ...]:
    return discover(
        paths["home"],
        platform=platform,
        project_dirs=[paths["project"]],
        env={},
        system_root=paths["system_root"],
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_discover_finds_every_client(tmp_path: Path, platform: str) -> None:
    paths = build_home(tmp_path, platform)
    found = _discover(paths, platform)
    assert set(found) == _expected(paths)
    assert len(found) == len(set(found))
    assert {loc.client for loc in found} == {c.value for c in ClientId}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_discovered_file_reads(tmp_path: Path, platform: str) -> None:
    paths = build_home(tmp_path, platform)
    for loc in _discover(paths, platform):
        result = read_config_detailed(loc.path, loc.client, scope=loc.scope, project=loc.project)
        assert result.entries, loc
        assert all(e.client == loc.client for e in result.entries)
        if loc.client != ClientId.ZED:  # Zed's extension-provided server is the one problem
            assert result.problems == (), loc


def test_build_home_covers_every_client(tmp_path: Path) -> None:
    paths = build_home(tmp_path)
    assert {c.value for c in CLIENTS} <= set(paths)
    assert all(p.is_file() for k, p in paths.items() if k not in {"home", "project", "system_root"})


def test_missing_client_is_simply_absent(tmp_path: Path) -> None:
    paths = build_home(tmp_path, "linux")
    paths["cursor"].unlink()
    paths["goose"].unlink()
    found = _discover(paths, "linux")
    users = {loc.client for loc in found if loc.scope is Scope.USER}
    assert "cursor" not in users and "goose" not in users
    assert any(loc.client == "cursor" and loc.scope is Scope.PROJECT for loc in found)


def test_empty_home_finds_nothing(tmp_path: Path) -> None:
    assert discover(tmp_path, platform="linux", env={}, system_root=tmp_path) == ()


def test_env_overrides(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    for rel in (
        "codex/config.toml",
        "claude/.claude.json",
        "xdg/zed/settings.json",
        "appdata/Claude/claude_desktop_config.json",
    ):
        (elsewhere / rel).parent.mkdir(parents=True, exist_ok=True)
        (elsewhere / rel).write_text("{}")
    (home / ".claude.json").parent.mkdir(parents=True)
    (home / ".claude.json").write_text("{}")  # ignored: CLAUDE_CONFIG_DIR wins
    env = {
        "CODEX_HOME": str(elsewhere / "codex"),
        "CLAUDE_CONFIG_DIR": str(elsewhere / "claude"),
        "XDG_CONFIG_HOME": str(elsewhere / "xdg"),
        "APPDATA": str(elsewhere / "appdata"),
    }
    linux = {
        (loc.client, loc.path)
        for loc in discover(home, platform="linux", env=env, system_root=tmp_path / "sys")
    }
    assert linux == {
        ("codex", elsewhere / "codex/config.toml"),
        ("claude-code", elsewhere / "claude/.claude.json"),
        ("zed", elsewhere / "xdg/zed/settings.json"),
    }
    win = {
        (loc.client, loc.path)
        for loc in discover(home, platform="win32", env=env, system_root=tmp_path / "sys")
    }
    assert ("claude-desktop", elsewhere / "appdata/Claude/claude_desktop_config.json") in win


def test_project_scope_needs_project_dirs(tmp_path: Path) -> None:
    paths = build_home(tmp_path, "linux")
    found = discover(paths["home"], platform="linux", env={}, system_root=paths["system_root"])
    assert all(loc.scope is not Scope.PROJECT for loc in found)


def test_cline_found_inside_other_editors(tmp_path: Path) -> None:
    rel = "Windsurf/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
    target = tmp_path / ".config" / rel
    target.parent.mkdir(parents=True)
    target.write_text('{"mcpServers": {}}')
    found = discover(tmp_path, platform="linux", env={}, system_root=tmp_path / "sys")
    assert [(loc.client, loc.path) for loc in found] == [("cline", target)]
